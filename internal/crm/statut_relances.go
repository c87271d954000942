package crm

import (
	"fmt"
	"time"
)

// The relances about an apporteur's legal status: its ORIAS check turning
// 12 months old, its RC Pro about to expire. Each is a tâche of the MIA on
// the apporteur (never assigned to it), set off by a wake-up written when
// the MIA records the date it watches; a new date sets a new wake-up, the
// wake-up of a date no longer current does nothing, and the open relance of
// a date no longer current is closed (OutdatedStatutRelances).

// RCProPreavis is how many days before its RC Pro expires the MIA is asked
// to get the apporteur's new attestation: "about to expire".
const RCProPreavis = 30

// StatutReveils are the wake-ups of apporteur p's legal status s: on the
// day its ORIAS check is VerificationMaxAge months old (the day
// StatutLegal.VerificationStale turns true), and RCProPreavis days before
// its RC Pro expires. An indicateur (no ORIAS, no RC Pro) has none.
func StatutReveils(m MIAID, p ApporteurID, s *StatutLegal) []Reveil {
	if s == nil || s.Type != IntermediaireORIAS {
		return nil
	}
	var out []Reveil
	if d, err := time.Parse(time.DateOnly, s.VerifieLe); err == nil {
		out = append(out, Reveil{Day: d.AddDate(0, VerificationMaxAge, 0).Format(time.DateOnly), Kind: RelanceORIAS,
			MIA: m, ApporteurID: p, Ref: s.VerifieLe})
	}
	if d, err := time.Parse(time.DateOnly, s.RCProExpiration); err == nil {
		out = append(out, Reveil{Day: d.AddDate(0, 0, -RCProPreavis).Format(time.DateOnly), Kind: RelanceRCPro,
			MIA: m, ApporteurID: p, Ref: s.RCProExpiration})
	}
	return out
}

// NextWorkingDay is day itself when it is a working day, else the first
// working day after it (AAAA-MM-JJ in, AAAA-MM-JJ out).
func NextWorkingDay(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	for !IsWorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// StatutRelance is the tâche wake-up r makes on day today for apporteur a,
// false when there is none to make: a deactivated apporteur, a status no
// longer an ORIAS registration, or a watched date changed since (its own
// wake-up is set). The tâche is due on the first working day from today
// and its id derives from the date watched, so a retried run, a replayed
// stream or a dismissed relance never makes a second one for that date.
func StatutRelance(r Reveil, a Apporteur, today string) (Tache, bool) {
	s := a.StatutLegal
	if a.Statut == ApporteurDesactive || s == nil || s.Type != IntermediaireORIAS {
		return Tache{}, false
	}
	nom := a.DisplayName()
	t := Tache{Echeance: NextWorkingDay(today), Statut: TacheAFaire, Relance: r.Kind, Version: 1,
		Cible: &Cible{Type: CibleApporteur, ID: string(a.ID), Nom: nom, ApporteurID: a.ID}}
	switch r.Kind {
	case RelanceORIAS:
		if s.VerifieLe != r.Ref {
			return Tache{}, false
		}
		t.Titre = fmt.Sprintf("Vérifier l'immatriculation ORIAS de %s (dernière vérification le %s)", nom, frDate(r.Ref))
	case RelanceRCPro:
		if s.RCProExpiration != r.Ref {
			return Tache{}, false
		}
		verbe := "expire" // recorded already expired, it is woken at once
		if r.Ref < today {
			verbe = "a expiré"
		}
		t.Titre = fmt.Sprintf("Demander à %s sa nouvelle attestation de RC Pro (%s le %s)", nom, verbe, frDate(r.Ref))
	default:
		return Tache{}, false
	}
	t.ID = StatutRelanceID(r.Kind, r.MIA, a.ID, r.Ref)
	return t, true
}

// StatutRelanceID is the id of the relance of kind (RelanceORIAS,
// RelanceRCPro) about apporteur p's date ref: one relance per date watched.
func StatutRelanceID(kind string, m MIAID, p ApporteurID, ref string) TacheID {
	return TacheID(DerivedID(fmt.Sprintf("%s#%s#%s#%s", kind, m, p, ref)))
}

// OutdatedStatutRelances are the ids of the relances apporteur p may have
// about a date its legal status held (old) and no longer holds (cur): the
// ORIAS check date or RC Pro expiry the MIA replaced by a newer one, or
// that a status no longer an ORIAS registration does not watch. What such a
// relance asked is settled; the new date has its own wake-up.
func OutdatedStatutRelances(m MIAID, p ApporteurID, old, cur *StatutLegal) []TacheID {
	current := map[Reveil]bool{}
	for _, r := range StatutReveils(m, p, cur) {
		current[Reveil{Kind: r.Kind, Ref: r.Ref}] = true
	}
	var out []TacheID
	for _, r := range StatutReveils(m, p, old) {
		if !current[Reveil{Kind: r.Kind, Ref: r.Ref}] {
			out = append(out, StatutRelanceID(r.Kind, m, p, r.Ref))
		}
	}
	return out
}

// CloseOutdatedRelance is relance t marked done at now (as the MIA marks a
// tâche done: statut faite, FaiteLe, a new version), its date having
// changed at since; false when there is nothing to do: t is not open (the
// MIA dismissed or did it), or was changed after since (she reopened or
// postponed it knowing the new date: it is hers), or it is no relance of
// an apporteur's legal status. So a record delivered again or replayed
// changes nothing more.
func CloseOutdatedRelance(t Tache, since, now time.Time) (Tache, bool) {
	if !t.Open() || t.UpdatedAt.After(since) || (t.Relance != RelanceORIAS && t.Relance != RelanceRCPro) {
		return t, false
	}
	faite := TacheFaite
	next := TachePatch{Statut: &faite}.Apply(t, now)
	next.UpdatedAt, next.Version = now.UTC(), t.Version+1
	return next, true
}

func frDate(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.Format("02/01/2006")
}
