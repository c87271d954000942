package mdblock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReplace(t *testing.T) {
	tests := []struct {
		name, doc, md, want string
		wantErr             bool
	}{
		{name: "replaces the block only",
			doc: "# Title\nprose\n<!-- b -->\nold figures\n<!-- e -->\nmore prose\n", md: "new figures\n",
			want: "# Title\nprose\n<!-- b -->\nnew figures\n<!-- e -->\nmore prose\n"},
		{name: "empty block", doc: "<!-- b --><!-- e -->", md: "x", want: "<!-- b -->\nx\n<!-- e -->"},
		{name: "no markers", doc: "# Title\n", md: "x", wantErr: true},
		{name: "end before begin", doc: "<!-- e -->\n<!-- b -->\n", md: "x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "doc.md")
			if err := os.WriteFile(f, []byte(tt.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Replace(f, "<!-- b -->", "<!-- e -->", tt.md)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Replace error: %v, want error: %v", err, tt.wantErr)
			}
			b, _ := os.ReadFile(f)
			if tt.wantErr {
				tt.want = tt.doc // a refused replacement writes nothing
			}
			if got := string(b); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
