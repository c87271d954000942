package consumers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// Daily work on the stream: the relances that follow a write, the records'
// timelines, the dashboard's counters and the digest's agenda. Each is
// idempotent: relances have ids derived from their event and are put only
// when absent; timeline lines are keyed by what they describe and rewritten
// only by a newer version; counters move by the difference from what was
// recorded of the record; the agenda is sets.

// relances writes the tâches events create, the wake-ups of those that
// follow from time, and settles those an event makes pointless.
type relances interface {
	PutRelance(ctx context.Context, m crm.MIAID, t crm.Tache) error
	DropRelance(ctx context.Context, m crm.MIAID, id crm.TacheID) error
	PutReveil(ctx context.Context, r crm.Reveil) error
	SettleRelance(ctx context.Context, m crm.MIAID, id crm.TacheID, step func(crm.Tache) (crm.Tache, bool)) error
}

// activites writes timeline lines, and drops those of a removed record.
type activites interface {
	PutActivite(ctx context.Context, m crm.MIAID, cibleID, id string, version int, a crm.Activite, from crm.Provenance) error
	DropActivite(ctx context.Context, m crm.MIAID, cibleID, id string) error
}

// tableau keeps the dashboard's counters.
type tableau interface {
	ApplyContribution(ctx context.Context, m crm.MIAID, kind, id string, version int,
		counters func(signe string) (crm.Counters, string), names map[string]string) error
	DropContribution(ctx context.Context, m crm.MIAID, kind, id string) error
	RestoreContribution(ctx context.Context, m crm.MIAID, kind, id string, from, to int,
		counters func(signe string) (crm.Counters, string)) error
}

// agenda keeps the digest's index of open tâches by day and recipient.
type agenda interface {
	AgendaAdd(ctx context.Context, day string, m crm.MIAID, p crm.ApporteurID, id crm.TacheID) error
	AgendaRemove(ctx context.Context, day string, m crm.MIAID, p crm.ApporteurID, id crm.TacheID) error
}

// Relances creates the relance of a contact brought by an apporteur
// ("Appeler <nom>", due in 2 working days) and writes the wake-ups of an
// affaire en cours (30 days after its last change), of a signed affaire's
// anniversary (30 days before it) and of an apporteur's ORIAS check and RC
// Pro expiry (crm.StatutReveils), which the relances job reads; a new date
// closes the open relance of the old one. A contact removed (an import
// undone) takes its untouched relance with it; a contact erased gets none
// from a record older than its erasure.
func Relances(d Deps) Handler {
	return each("relances", d, func(ctx context.Context, c change) error {
		if ct := c.Old.Contact; c.Name == "REMOVE" && ct != nil && ct.ApporteurID != "" {
			return d.Store.DropRelance(ctx, c.Old.MIA, AppelRelance(c.Old.MIA, *ct).ID)
		}
		switch c.New.Kind {
		case crm.KindContact:
			ct := c.New.Contact
			if c.Name != "INSERT" || ct == nil || ct.ApporteurID == "" {
				return nil
			}
			return d.Store.PutRelance(ctx, c.New.MIA, AppelRelance(c.New.MIA, *ct))
		case crm.KindAffaire:
			m, old, cur, ok := affaires(c)
			if !ok || cur == nil {
				return nil
			}
			if cur.Statut == crm.AffaireEnCours && (old == nil || old.Version < cur.Version) {
				r := crm.Reveil{Day: crm.DayPlus(cur.UpdatedAt, 0, 0, 30), Kind: crm.RelanceEnCours, MIA: m, AffaireID: cur.ID, N: cur.Version}
				if err := d.Store.PutReveil(ctx, r); err != nil {
					return err
				}
			}
			if cur.Statut == crm.AffaireSignee && (old == nil || old.Statut != crm.AffaireSignee) {
				r := crm.Reveil{Day: crm.DayPlus(cur.UpdatedAt, 1, 0, -30), Kind: crm.RelanceEcheance, MIA: m, AffaireID: cur.ID, N: 1}
				return d.Store.PutReveil(ctx, r)
			}
		case crm.KindApporteur:
			return statutReveils(ctx, d, c)
		}
		return nil
	})
}

// statutReveils writes the wake-ups of an apporteur's legal status that
// its write set: those of a date (ORIAS check, RC Pro expiry) it recorded
// anew. And it marks done the open relance of a date the write replaced
// (crm.OutdatedStatutRelances), unless the MIA touched it since the change
// (crm.CloseOutdatedRelance): she need not close by hand what she just
// settled, and a record delivered again finds nothing more to do. The
// apporteur item changes for many other reasons (its commission totals,
// its invitation), which set and close none.
func statutReveils(ctx context.Context, d Deps, c change) error {
	cur := c.New.Apporteur
	if cur == nil {
		return nil
	}
	had := map[crm.Reveil]bool{}
	var before *crm.StatutLegal
	if old := c.Old.Apporteur; old != nil {
		before = old.StatutLegal
		for _, r := range crm.StatutReveils(c.Old.MIA, old.ID, old.StatutLegal) {
			had[r] = true
		}
	}
	for _, r := range crm.StatutReveils(c.New.MIA, cur.ID, cur.StatutLegal) {
		if had[r] {
			continue
		}
		if err := d.Store.PutReveil(ctx, r); err != nil {
			return err
		}
	}
	for _, id := range crm.OutdatedStatutRelances(c.New.MIA, cur.ID, before, cur.StatutLegal) {
		step := func(t crm.Tache) (crm.Tache, bool) { return crm.CloseOutdatedRelance(t, cur.UpdatedAt, d.now()) }
		if err := d.Store.SettleRelance(ctx, c.New.MIA, id, step); err != nil {
			return fmt.Errorf("relance %s: %w", id, err)
		}
	}
	return nil
}

// AppelRelance is the relance of a contact brought by an apporteur.
func AppelRelance(m crm.MIAID, ct crm.Contact) crm.Tache {
	nom := ct.DisplayName()
	return crm.Tache{ID: crm.TacheID(crm.DerivedID("appel#" + string(m) + "#" + string(ct.ID))),
		Titre: "Appeler " + nom, Echeance: crm.AddWorkingDays(ct.CreatedAt, 2),
		Cible:  &crm.Cible{Type: crm.CibleContact, ID: string(ct.ID), Nom: nom, ClientID: string(ct.ID), ApporteurID: ct.ApporteurID},
		Statut: crm.TacheAFaire, Relance: crm.RelanceAppel, CreatedAt: ct.CreatedAt, UpdatedAt: ct.CreatedAt, Version: 1}
}

// Activite writes the timeline of contacts, entreprises and affaires:
// their creation, the affaires' historique, notes (rewritten as they are
// edited) and tâches created and done. What is about an affaire is also on
// its client's timeline. A removed record takes its lines with it; a line
// about a tâche or a note is written only while it exists and its client is
// not erased (crm.Provenance), so a record delivered late or replayed
// writes back nothing an erasure or a removal took away.
func Activite(d Deps) Handler {
	return each("activite", d, func(ctx context.Context, c change) error {
		if c.Name == "REMOVE" {
			return dropActivite(ctx, d, c.Old)
		}
		m := c.New.MIA
		from := crm.Provenance{}
		put := func(cibles []string, id string, version int, a crm.Activite) error {
			for _, cible := range cibles {
				if cible == "" {
					continue
				}
				if err := d.Store.PutActivite(ctx, m, cible, id, version, a, from); err != nil {
					return fmt.Errorf("timeline of %s: %w", cible, err)
				}
			}
			return nil
		}
		switch c.New.Kind {
		case crm.KindContact, crm.KindEntreprise:
			if c.Name != "INSERT" || c.New.Client == nil {
				return nil
			}
			at, resume := c.At, "Entreprise créée"
			if ct := c.New.Contact; ct != nil {
				at, resume = ct.CreatedAt, "Contact créé"
				if c.New.ByApporteur {
					resume = "Contact transmis par son apporteur"
				}
			}
			if at.IsZero() {
				at = d.now()
			}
			return put([]string{c.New.Client.ID}, c.New.Client.ID, 1, crm.Activite{At: at, Type: crm.ActiviteCreation, Resume: resume})
		case crm.KindAffaire:
			_, old, cur, ok := affaires(c)
			if !ok || cur == nil {
				return nil
			}
			h, ok := historiqueOf(old, cur)
			if !ok {
				return nil
			}
			a := crm.Activite{At: h.At, Type: crm.ActiviteHistorique, Resume: historiqueResume(cur, h), AffaireID: cur.ID, Historique: &h}
			return put([]string{string(cur.ID), cur.ClientID}, string(cur.ID)+"#"+strconv.Itoa(cur.Version), cur.Version, a)
		case crm.KindTache:
			old, cur := c.Old.Tache, c.New.Tache
			if cur == nil || cur.Cible == nil || cur.Cible.Type == crm.CibleApporteur {
				return nil // an apporteur has no timeline
			}
			cibles := []string{cur.Cible.ID, otherThan(cur.Cible.ClientID, cur.Cible.ID)}
			from = crm.Provenance{Tache: cur.ID, Client: cur.Cible.ClientID}
			if old == nil {
				a := crm.Activite{At: cur.CreatedAt, Type: crm.ActiviteTacheCreee, Resume: "Tâche créée : " + cur.Titre + " (échéance " + frDay(cur.Echeance) + ")", TacheID: cur.ID}
				if err := put(cibles, string(cur.ID), 1, a); err != nil {
					return err
				}
			}
			if cur.Statut == crm.TacheFaite && cur.FaiteLe != nil && (old == nil || old.Statut != crm.TacheFaite) {
				a := crm.Activite{At: *cur.FaiteLe, Type: crm.ActiviteTacheFaite, Resume: "Tâche faite : " + cur.Titre, TacheID: cur.ID}
				return put(cibles, string(cur.ID), cur.Version, a)
			}
		case crm.KindNote:
			n := c.New.Note
			if n == nil {
				return nil
			}
			resume := "Note"
			if n.Auteur == crm.AuteurApporteur {
				resume = "Note de l'apporteur"
			} else if n.Partagee {
				resume = "Note partagée avec l'apporteur"
			}
			a := crm.Activite{At: n.CreatedAt, Type: crm.ActiviteNote, Resume: resume, Note: n}
			from = crm.Provenance{Note: n.ID, Client: n.Cible.ClientID}
			return put([]string{n.Cible.ID, otherThan(n.Cible.ClientID, n.Cible.ID)}, string(n.ID), n.Version, a)
		}
		return nil
	})
}

// EmailActivite records on a record's timeline an email sent about it.
func emailActivite(ctx context.Context, d Deps, m crm.MIAID, cibles []string, key string, at time.Time, resume string) error {
	for _, cible := range cibles {
		if cible == "" {
			continue
		}
		if err := d.Store.PutActivite(ctx, m, cible, key, 1, crm.Activite{At: at, Type: crm.ActiviteEmail, Resume: resume}, crm.Provenance{}); err != nil {
			return fmt.Errorf("timeline of %s: %w", cible, err)
		}
	}
	return nil
}

// dropActivite deletes what the timelines hold of a removed record: a
// contact's or an entreprise's whole timeline, a tâche's or a note's lines
// on its record and its client. (Affaires are never removed.)
func dropActivite(ctx context.Context, d Deps, old crm.Image) error {
	var cibles []string
	var id string
	switch {
	case old.Client != nil && (old.Kind == crm.KindContact || old.Kind == crm.KindEntreprise):
		cibles = []string{old.Client.ID}
	case old.Tache != nil && old.Tache.Cible != nil:
		cibles, id = []string{old.Tache.Cible.ID, otherThan(old.Tache.Cible.ClientID, old.Tache.Cible.ID)}, string(old.Tache.ID)
	case old.Note != nil:
		cibles, id = []string{old.Note.Cible.ID, otherThan(old.Note.Cible.ClientID, old.Note.Cible.ID)}, string(old.Note.ID)
	}
	for _, cible := range cibles {
		if cible == "" {
			continue
		}
		if err := d.Store.DropActivite(ctx, old.MIA, cible, id); err != nil {
			return fmt.Errorf("timeline of %s: %w", cible, err)
		}
	}
	return nil
}

func otherThan(id, not string) string {
	if id == not {
		return ""
	}
	return id
}

func frDay(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}

var statutFR = map[crm.AffaireStatut]string{crm.AffaireEnCours: "en cours", crm.AffaireSignee: "signée",
	crm.AffairePerdue: "perdue", crm.AffaireResiliee: "résiliée"}

func historiqueResume(a *crm.Affaire, h crm.Historique) string {
	if h.Evenement == "creation" {
		return "Affaire " + a.ProduitNom + " ouverte"
	}
	if h.StatutAvant != h.Statut {
		return "Affaire " + a.ProduitNom + " : " + statutFR[h.StatutAvant] + " → " + statutFR[h.Statut]
	}
	return "Affaire " + a.ProduitNom + " mise à jour"
}

// Tableau keeps the MIA's dashboard counters: each affaire, contact and
// tâche contributes (crm.AffaireCounters, ContactCounters, TacheCounters).
// A removed record takes its contribution back and leaves no item; a
// record put back to an earlier version (an import undone) takes back the
// contribution of the version it replaced.
func Tableau(d Deps) Handler {
	return each("tableau", d, func(ctx context.Context, c change) error {
		kind := c.New.Kind
		if kind == crm.KindOther {
			kind = c.Old.Kind
		}
		m := c.New.MIA
		if m == "" {
			m = c.Old.MIA
		}
		// apply records what the record's new image contributes, from the
		// versions of its two images (0 when absent).
		apply := func(name, id string, from, to int, counters func(signe string) (crm.Counters, string), names map[string]string) error {
			switch {
			case c.Name == "REMOVE":
				return d.Store.DropContribution(ctx, m, name, id)
			case from > to && to > 0:
				return d.Store.RestoreContribution(ctx, m, name, id, from, to, counters)
			}
			return d.Store.ApplyContribution(ctx, m, name, id, to, counters, names)
		}
		switch kind {
		case crm.KindAffaire:
			_, old, cur, ok := affaires(c)
			if !ok {
				return nil
			}
			rec, from, to, names := old, 0, 0, map[string]string{}
			if old != nil {
				from = old.Version
			}
			if cur != nil {
				rec, to = cur, cur.Version
				names["pn|"+string(cur.ProduitID)] = cur.ProduitNom
			}
			return apply("affaire", string(rec.ID), from, to, func(signe string) (crm.Counters, string) {
				s := crm.SignatureMonth(signe, cur)
				return crm.AffaireCounters(cur, s), s
			}, names)
		case crm.KindContact:
			old, cur := c.Old.Contact, c.New.Contact
			if cur == nil {
				if old == nil {
					return nil
				}
				return apply("contact", string(old.ID), old.Version, 0, noCounters, nil)
			}
			return apply("contact", string(cur.ID), versionOf(old), cur.Version, func(string) (crm.Counters, string) {
				return crm.ContactCounters(cur.ApporteurID), ""
			}, nil)
		case crm.KindTache:
			old, cur := c.Old.Tache, c.New.Tache
			if cur == nil {
				if old == nil {
					return nil
				}
				return apply("tache", string(old.ID), old.Version, 0, noCounters, nil)
			}
			from := 0
			if old != nil {
				from = old.Version
			}
			return apply("tache", string(cur.ID), from, cur.Version, func(string) (crm.Counters, string) {
				return crm.TacheCounters(cur), ""
			}, nil)
		}
		return nil
	})
}

func versionOf(c *crm.Contact) int {
	if c == nil {
		return 0
	}
	return c.Version
}

func noCounters(string) (crm.Counters, string) { return crm.Counters{}, "" }

// Agenda keeps the digest's index: each open tâche is in the set of its
// day for its MIA and, when assigned, for its apporteur.
func Agenda(d Deps) Handler {
	return each("agenda", d, func(ctx context.Context, c change) error {
		old, cur := c.Old.Tache, c.New.Tache
		m := c.New.MIA
		if m == "" {
			m = c.Old.MIA
		}
		if old == nil && cur == nil {
			return nil
		}
		type key struct {
			day string
			p   crm.ApporteurID
		}
		keysOf := func(t *crm.Tache) map[key]bool {
			out := map[key]bool{}
			if t != nil && t.Open() {
				out[key{t.Echeance, ""}] = true
				if t.ApporteurID != "" {
					out[key{t.Echeance, t.ApporteurID}] = true
				}
			}
			return out
		}
		was, is := keysOf(old), keysOf(cur)
		for k := range was {
			if !is[k] {
				if err := d.Store.AgendaRemove(ctx, k.day, m, k.p, old.ID); err != nil {
					return err
				}
			}
		}
		for k := range is {
			if err := d.Store.AgendaAdd(ctx, k.day, m, k.p, cur.ID); err != nil {
				return err
			}
		}
		return nil
	})
}
