// Command gen writes functions/<folder>/main.go for every function of
// internal/routes (run by `go generate ./internal/routes`).
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/assentis/mycrm/internal/routes"
)

func main() {
	dir := flag.String("functions", "functions", "the functions folder")
	flag.Parse()
	for _, folder := range routes.Folders() {
		src, err := routes.Main(folder)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(*dir, folder), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*dir, folder, "main.go"), src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
