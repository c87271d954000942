package devstack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/assentis/mycrm/internal/convention"
	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
)

// SeedDemoLedger gives the demo MIA a year of commissions (make dev only; it
// needs the stream consumers running, which write the acquise lines and
// reprises): an apporteur with signed affaires from a year ago, monthly
// encaissements, quarterly versements, one affaire résiliée inside the
// reprise window, and the relevé of every month. Idempotent: a MIA that
// already has a ledger is left as it is.
func (s *Stack) SeedDemoLedger(ctx context.Context) error {
	m, err := s.CreateMIAProfile(ctx, crm.MIA{Email: DemoMIAEmail, Nom: "Martin", Prenom: "Claire", Cabinet: DemoMIACabinet}, DemoMIAPassword, false)
	if err != nil {
		return err
	}
	store := s.store()
	if soldes, err := store.Soldes(ctx, m, crm.ListOptions{Limit: 1}); err != nil || len(soldes.Items) > 0 {
		return err
	}
	real := time.Now()
	var at time.Time
	store.Now = func() time.Time { return at }
	set := func(t time.Time) { at = t }
	wait := func() error {
		c, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return s.WaitStreams(c)
	}
	start := time.Date(real.Year()-1, real.Month(), 3, 10, 0, 0, 0, crm.Paris)
	set(start)
	raison, orias, siren, adresse := "Cabinet Démo SARL", "12345678", "732829320", "12 rue de la République, 69002 Lyon"
	if _, err := store.UpdateProfil(ctx, m, crm.ProfilPatch{RaisonSociale: &raison, ORIAS: &orias, SIREN: &siren, Adresse: &adresse}, nil); err != nil {
		return fmt.Errorf("demo profil: %w", err)
	}
	ap, _, err := store.CreateApporteur(ctx, m, crm.NewApporteur{Nom: "Lefèvre", Prenom: "Julie", Email: DemoApporteurEmail, Localisation: "Lyon (69)"}, nil)
	if err != nil {
		return fmt.Errorf("demo apporteur: %w", err)
	}
	// No versement without a legal status and an accepted convention: the
	// demo apporteur is an ORIAS-registered intermediary who accepted v1 the
	// day it joined (its last register check is a year old by now, which the
	// fiche shows as a warning and a relance asks to renew).
	if err := wait(); err != nil { // the invitation: Cognito account, activation email
		return err
	}
	if err := s.activateDemoApporteur(ctx); err != nil {
		return err
	}
	if err := demoConvention(ctx, store, m, ap.ID, at); err != nil {
		return err
	}
	type deal struct {
		nom         string
		produit     crm.ProduitID
		prime       int64
		taux        int
		resilieMois int // months after signature, 0: never
	}
	deals := []deal{{"Garnier", "auto", 95000, 20, 0}, {"Roux", "mrh", 62000, 15, 0}, {"Faure", "sante-individuelle", 180000, 25, 0},
		{"Blanc", "prevoyance-individuelle", 240000, 20, 4}, {"Chevalier", "auto", 110000, 25, 0}}
	var signed []crm.Affaire
	for i, d := range deals {
		set(start.AddDate(0, i*2, i))
		c, _, err := store.CreateContact(ctx, m, crm.Contact{Nom: d.nom, Prenom: "Démo", Email: fmt.Sprintf("%s.demo%d@demo.test", crm.Fold(d.nom), i), ApporteurID: ap.ID}, nil)
		if err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		taux := d.taux
		a, _, err := store.CreateAffaire(ctx, m, crm.NewAffaire{ClientID: string(c.ID), ProduitID: d.produit, PrimeAnnuelleCentimes: d.prime, TauxCommissionApporteur: &taux}, nil)
		if err != nil {
			return fmt.Errorf("demo affaire: %w", err)
		}
		signee := crm.AffaireSignee
		if a, err = store.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: &signee}, nil); err != nil {
			return fmt.Errorf("demo signature: %w", err)
		}
		signed = append(signed, a)
	}
	if err := wait(); err != nil {
		return err
	}
	// Month by month: the insurer pays each signed affaire its monthly share,
	// the MIA pays its apporteur every quarter, and issues the month's relevé.
	var resilie = map[crm.AffaireID]bool{}
	for k := 1; k <= 11; k++ {
		month := time.Date(start.Year(), start.Month()+time.Month(k), 1, 9, 0, 0, 0, crm.Paris)
		set(month.AddDate(0, 0, 9))
		for i, a := range signed {
			signMonth := i * 2
			if k <= signMonth || resilie[a.ID] {
				continue
			}
			if d := deals[i]; d.resilieMois > 0 && k == signMonth+d.resilieMois {
				st := crm.AffaireResiliee
				if _, err := store.UpdateAffaire(ctx, m, a.ID, crm.AffairePatch{Statut: &st}, nil); err != nil {
					return fmt.Errorf("demo résiliation: %w", err)
				}
				resilie[a.ID] = true
				continue
			}
			_, _, err := store.CreateEncaissement(ctx, m, a.ID, crm.NewEncaissement{Date: crm.Day(at), MontantCentimes: a.CommissionMIACentimes() / 12, AnneeContrat: 1}, nil)
			if err != nil {
				return fmt.Errorf("demo encaissement: %w", err)
			}
		}
		if err := wait(); err != nil {
			return err
		}
		if k%3 == 0 {
			set(month.AddDate(0, 0, 20))
			reg, err := store.ApporteurRegistre(ctx, m, ap.ID, crm.ListOptions{Limit: 1})
			if err != nil {
				return err
			}
			if reg.Solde.SoldeCentimes > 0 {
				if _, _, err := store.CreateVersement(ctx, m, ap.ID, crm.NewVersement{Date: crm.Day(at), MontantCentimes: reg.Solde.SoldeCentimes,
					Mode: "virement", Reference: fmt.Sprintf("VIR-DEMO-%02d", k)}, nil); err != nil {
					return fmt.Errorf("demo versement: %w", err)
				}
			}
		}
		if month.AddDate(0, 1, 0).Before(real) {
			set(month.AddDate(0, 1, 0).Add(time.Hour))
			if _, _, err := store.IssueReleve(ctx, m, ap.ID, month.Format("2006-01"), nil); err != nil && crm.ErrorCode(err) != crm.ECONFLICT {
				return fmt.Errorf("demo relevé: %w", err)
			}
		}
	}
	if err := wait(); err != nil {
		return err
	}
	if err := s.seedDemoDocuments(ctx, signed[0], ap.ID, start); err != nil {
		return err
	}
	// The apporteur's register check is a year old: the relances of the
	// day (run now rather than at 6:00 tomorrow) ask the MIA to check it
	// again, a tâche of its "Aujourd'hui" and of the apporteur's page.
	if err := s.FireSchedule(ctx, "daily-relances", real); err != nil {
		return fmt.Errorf("demo relances: %w", err)
	}
	return errors.Join(wait())
}

// The demo apporteur, activated by the seed so both sides of the demo
// ledger can be opened at once.
const (
	DemoApporteurEmail    = "julie.lefevre@demo.test"
	DemoApporteurPassword = "Demo-Apporteur-2026!"
)

var activationLink = regexp.MustCompile(`/activation\?token=([A-Za-z0-9_-]{43})`)

// activateDemoApporteur follows the demo apporteur's activation email
// through POST /activation, as the person would.
func (s *Stack) activateDemoApporteur(ctx context.Context) error {
	emails, err := s.Emails(ctx)
	if err != nil {
		return fmt.Errorf("demo activation: %w", err)
	}
	var token string
	for _, e := range emails {
		if m := activationLink.FindStringSubmatch(e.Text); m != nil && slices.Contains(e.To, DemoApporteurEmail) {
			token = m[1]
		}
	}
	if token == "" {
		return errors.New("demo activation: no activation email to " + DemoApporteurEmail)
	}
	body, _ := json.Marshal(map[string]string{"token": token, "motDePasse": DemoApporteurPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.APIURL+"/activation", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("demo activation: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("demo activation: %s", res.Status)
	}
	return nil
}

// demoConvention gives the demo apporteur p its legal status and an
// accepted convention v1 at `at`, as the MIA's and the apporteur's screens do.
func demoConvention(ctx context.Context, store *dynamo.Store, m crm.MIAID, p crm.ApporteurID, at time.Time) error {
	statut := crm.StatutLegal{Type: crm.IntermediaireORIAS, NumeroORIAS: "23004512", Categorie: "mandataire",
		VerifieLe: at.Format(time.DateOnly), RCProAssureur: "Hiscox", RCProExpiration: at.AddDate(2, 0, 0).Format(time.DateOnly)}
	_, a, err := store.UpdateApporteur(ctx, m, p, crm.ApporteurPatch{StatutLegal: &statut}, nil)
	if err != nil {
		return fmt.Errorf("demo statut légal: %w", err)
	}
	mia, err := store.GetMIA(ctx, m)
	if err != nil {
		return fmt.Errorf("demo convention: %w", err)
	}
	day := at.UTC().Truncate(time.Second)
	pdf, err := convention.PDF(crm.ConventionData{Version: 1, Date: day, MIA: mia, Apporteur: a, StatutLegal: statut})
	if err != nil {
		return fmt.Errorf("demo convention: %w", err)
	}
	sum := sha256.Sum256(pdf)
	hash := hex.EncodeToString(sum[:])
	c := crm.Convention{Version: 1, SHA256: hash, Taille: len(pdf), GenereeLe: day, StatutLegal: statut.Type, Courante: true}
	if err := store.SaveConvention(ctx, m, p, c, pdf); err != nil {
		return fmt.Errorf("demo convention: %w", err)
	}
	proof := crm.Acceptation{Le: day.Add(time.Hour), Email: a.Email, Nom: a.DisplayName(), SHA256: hash, UserAgent: "make dev (données de démonstration)"}
	if a, err = store.GetApporteur(ctx, m, p); err != nil {
		return fmt.Errorf("demo acceptation: %w", err)
	}
	if _, err := store.AcceptConvention(ctx, crm.Principal{Sub: a.CognitoSub, MIA: m, Apporteur: p, Email: a.Email}, 1, proof); err != nil {
		return fmt.Errorf("demo acceptation: %w", err)
	}
	return nil
}
