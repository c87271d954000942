package mail_test

import (
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/mail"
)

const base = "https://mycrm.example.fr"

// webRoutes reads the paths the web client answers from its router: the
// pages of each space (["/mia/contacts/:id", …]) and the paths App handles
// itself (path === "/activation").
func webRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("../../web/src/main.tsx")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`\[\s*"(/[^"]*)",`), regexp.MustCompile(`path === "(/[^"]*)"`)} {
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			routes = append(routes, m[1])
		}
	}
	if len(routes) < 10 {
		t.Fatalf("read %d routes from web/src/main.tsx: has the router changed shape?", len(routes))
	}
	return routes
}

// routed reports whether path matches one of routes (":x" matches one segment).
func routed(routes []string, path string) bool {
	for _, r := range routes {
		rs, ps := strings.Split(r, "/"), strings.Split(path, "/")
		if len(rs) != len(ps) {
			continue
		}
		ok := true
		for i := range rs {
			ok = ok && (rs[i] == ps[i] || strings.HasPrefix(rs[i], ":") && ps[i] != "")
		}
		if ok {
			return true
		}
	}
	return false
}

var linkRE = regexp.MustCompile(`https?://[^\s"'<>]+`)

// TestLinksOpenWebPages: every link of every email, in its HTML and its
// text, opens a page of the web router (the affaire notification once linked
// /espace-apporteur, which the client answered with "Page introuvable").
func TestLinksOpenWebPages(t *testing.T) {
	routes := webRoutes(t)
	t.Run("the matcher refuses what the router does not serve", func(t *testing.T) {
		for _, p := range []string{"/espace-apporteur/affaires", "/espace/affaires/x", "/mia/contacts/", "/mia/inconnue"} {
			if routed(routes, p) {
				t.Errorf("%s matches a route, want none", p)
			}
		}
	})
	emails := []struct {
		name string
		data any
	}{
		{"apporteur invitation", mail.ApporteurInvitation{To: "a@exemple.fr", Prenom: "Paul", MIANom: "Claire Durand", Lien: mail.ActivationLink(base, "T0k_en")}},
		{"MIA activation", mail.MIAActivation{To: "m@exemple.fr", Prenom: "Claire", Lien: mail.ActivationLink(base+"/", "T0k_en")}},
		{"contact added by an apporteur", mail.ContactAjoute{To: "m@exemple.fr", MIAPrenom: "Claire", ApporteurNom: "Paul Martin",
			ContactNom: "Jean Dupont", Lien: mail.ContactLink(base, "01J0000000000000000000000A")}},
		{"affaire statut changed", mail.StatutAffaire{To: "a@exemple.fr", ApporteurPrenom: "Paul", ContactNom: "Jean Dupont",
			ProduitNom: "Santé", Avant: "en_cours", Apres: "signee", Lien: mail.EspaceAffairesLink(base + "/")}},
		{"invitation from one more MIA", mail.ApporteurAutreMIA{To: "a@exemple.fr", Prenom: "Paul", MIANom: "Claire Durand",
			Lien: mail.EspaceMandatairesLink(base)}},
		{"convention to accept", mail.ConventionAAccepter{To: "a@exemple.fr", Prenom: "Paul", MIANom: "Claire Durand", Version: 1,
			Lien: mail.EspaceConventionLink(base, "mia-1.01J0000000000000000000000A")}},
		{"convention accepted", mail.ConventionAcceptee{To: "m@exemple.fr", MIAPrenom: "Claire", ApporteurNom: "Paul Martin", Version: 1,
			Lien: mail.ApporteurLink(base, "01J0000000000000000000000A")}},
	}
	for _, e := range emails {
		t.Run(e.name, func(t *testing.T) {
			msg, err := mail.Compose(e.data)
			if err != nil {
				t.Fatal(err)
			}
			links := linkRE.FindAllString(msg.HTML+"\n"+msg.Text, -1)
			if len(links) == 0 {
				t.Fatal("no link, want at least one")
			}
			for _, l := range links {
				u, err := url.Parse(strings.ReplaceAll(l, "&amp;", "&"))
				if err != nil {
					t.Errorf("link %q: %v", l, err)
					continue
				}
				if got := u.Scheme + "://" + u.Host; got != base {
					t.Errorf("link %q goes to %s, want the web client %s", l, got, base)
				}
				if !routed(routes, u.Path) {
					t.Errorf("link %q: path %q is no route of web/src/main.tsx", l, u.Path)
				}
			}
		})
	}
}
