package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/assentis/mycrm/internal/crm"
)

// Daily work: tâches, notes, the timeline of a record and the dashboard
// (MIA), "Mes tâches" and the notes of its contacts (espace apporteur).

type tacheCreator interface {
	CreateTache(ctx context.Context, m crm.MIAID, n crm.NewTache, idem *crm.Idempotency) (crm.Tache, *crm.Replay, error)
}

// CreateTache serves POST /taches.
func CreateTache(d Deps) (Func, error) { return needs(d, handleCreateTache(d.Store), store) }

func handleCreateTache(s tacheCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/taches/", func(in crm.NewTache, idem *crm.Idempotency) (crm.Tache, *crm.Replay, error) {
			return s.CreateTache(r.Context(), p.MIA, in, idem)
		})
	}
}

type tacheLister interface {
	ListTaches(ctx context.Context, m crm.MIAID, f crm.TacheFilter) (crm.Page[crm.Tache], error)
}

// ListTaches serves GET /taches?vue= (aujourdhui by default, en_retard,
// a_venir, faites; days in Paris) and GET /taches?cibleId= (a record's).
func ListTaches(d Deps) (Func, error) { return needs(d, handleListTaches(d.Store, d.now), store) }

func handleListTaches(s tacheLister, now func() time.Time) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Tache], error) {
		q := r.URL.Query()
		return s.ListTaches(r.Context(), p.MIA, crm.TacheFilter{Vue: crm.TacheVue(q.Get("vue")), CibleID: q.Get("cibleId"),
			Today: crm.Day(now()), ListOptions: o})
	})
}

type tacheGetter interface {
	GetTache(ctx context.Context, m crm.MIAID, id crm.TacheID) (crm.Tache, error)
}

// GetTache serves GET /taches/{tacheId}: one tâche of the MIA (one GetItem),
// whatever its statut; another MIA's is 404.
func GetTache(d Deps) (Func, error) { return needs(d, handleGetTache(d.Store), store) }

func handleGetTache(s tacheGetter) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		t, err := s.GetTache(r.Context(), p.MIA, crm.TacheID(r.PathValue("tacheId")))
		if err != nil {
			return err
		}
		writeEntity(w, http.StatusOK, t.Version, t)
		return nil
	}
}

type tacheUpdater interface {
	UpdateTache(ctx context.Context, m crm.MIAID, id crm.TacheID, p crm.TachePatch, ifMatch *int, who crm.ApporteurID) (crm.Tache, error)
}

// UpdateTache serves PATCH /taches/{tacheId}: edit, done, undone, dismissed.
func UpdateTache(d Deps) (Func, error) { return needs(d, handleUpdateTache(d.Store), store) }

func handleUpdateTache(s tacheUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.TacheID(r.PathValue("tacheId"))
		return update(w, r, func(in crm.TachePatch, im *int) (crm.Tache, error) {
			return s.UpdateTache(r.Context(), p.MIA, id, in, im, "")
		}, func(t crm.Tache) int { return t.Version })
	}
}

type noteCreator interface {
	CreateNote(ctx context.Context, m crm.MIAID, author crm.ApporteurID, n crm.NewNote, idem *crm.Idempotency) (crm.Note, *crm.Replay, error)
}

// CreateNote serves POST /notes: a note of the MIA on a contact, an
// entreprise or an affaire, private unless partagee.
func CreateNote(d Deps) (Func, error) { return needs(d, handleCreateNote(d.Store), store) }

func handleCreateNote(s noteCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/notes/", func(in crm.NewNote, idem *crm.Idempotency) (crm.Note, *crm.Replay, error) {
			return s.CreateNote(r.Context(), p.MIA, "", in, idem)
		})
	}
}

type noteUpdater interface {
	UpdateNote(ctx context.Context, m crm.MIAID, id crm.NoteID, p crm.NotePatch, ifMatch *int) (crm.Note, error)
}

// UpdateNote serves PATCH /notes/{noteId}: the former text is kept.
func UpdateNote(d Deps) (Func, error) { return needs(d, handleUpdateNote(d.Store), store) }

func handleUpdateNote(s noteUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.NoteID(r.PathValue("noteId"))
		return update(w, r, func(in crm.NotePatch, im *int) (crm.Note, error) {
			return s.UpdateNote(r.Context(), p.MIA, id, in, im)
		}, func(n crm.Note) int { return n.Version })
	}
}

type activiteLister interface {
	ListActivite(ctx context.Context, m crm.MIAID, cibleID string, o crm.ListOptions) (crm.Page[crm.Activite], error)
}

// ListActivite serves GET /activite/{cibleId}: a record's timeline, newest first.
func ListActivite(d Deps) (Func, error) { return needs(d, handleListActivite(d.Store), store) }

func handleListActivite(s activiteLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Activite], error) {
		return s.ListActivite(r.Context(), p.MIA, r.PathValue("cibleId"), o)
	})
}

type tableauGetter interface {
	GetTableau(ctx context.Context, m crm.MIAID) (crm.Counters, map[string]string, error)
}

// GetTableau serves GET /tableau-de-bord: one GetItem of the counters.
func GetTableau(d Deps) (Func, error) { return needs(d, handleGetTableau(d.Store, d.now), store) }

func handleGetTableau(s tableauGetter, now func() time.Time) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		c, names, err := s.GetTableau(r.Context(), p.MIA)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, crm.TableauOf(c, names, now()))
		return nil
	}
}

type espaceTacheLister interface {
	activeChecker
	ListApporteurTaches(ctx context.Context, m crm.MIAID, p crm.ApporteurID, o crm.ListOptions) (crm.Page[crm.Tache], error)
}

// ListEspaceTaches serves GET /espace-apporteur/taches ("Mes tâches"): the
// open tâches its MIA assigned to it, by day.
func ListEspaceTaches(d Deps) (Func, error) { return needs(d, handleListEspaceTaches(d.Store), store) }

func handleListEspaceTaches(s espaceTacheLister) apiFunc {
	return ownPage(s, func(ctx context.Context, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Tache], error) {
		return s.ListApporteurTaches(ctx, p.MIA, p.Apporteur, o)
	})
}

type espaceTacheUpdater interface {
	activeChecker
	tacheUpdater
}

// espaceTachePatch is what an apporteur may change of its tâche: its statut.
type espaceTachePatch struct {
	Statut *crm.TacheStatut `json:"statut"`
}

// UpdateEspaceTache serves PATCH /espace-apporteur/taches/{tacheId}: the
// apporteur marks its tâche done (or to do again).
func UpdateEspaceTache(d Deps) (Func, error) {
	return needs(d, handleUpdateEspaceTache(d.Store), store)
}

func handleUpdateEspaceTache(s espaceTacheUpdater) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		id := crm.TacheID(r.PathValue("tacheId"))
		return update(w, r, func(in espaceTachePatch, im *int) (crm.Tache, error) {
			if in.Statut != nil && *in.Statut == crm.TacheEcartee {
				return crm.Tache{}, crm.Invalid(crm.FieldError{Champ: "statut", Message: "Le statut doit être « a_faire » ou « faite »."})
			}
			if _, err := s.ActiveApporteur(r.Context(), p); err != nil {
				return crm.Tache{}, err
			}
			return s.UpdateTache(r.Context(), p.MIA, id, crm.TachePatch{Statut: in.Statut}, im, p.Apporteur)
		}, func(t crm.Tache) int { return t.Version })
	}
}

type espaceNoteCreator interface {
	activeChecker
	noteCreator
}

// espaceNoteInput is an apporteur's note on one of its contacts.
type espaceNoteInput struct {
	ContactID string `json:"contactId"`
	Texte     string `json:"texte"`
}

// CreateEspaceNote serves POST /espace-apporteur/notes.
func CreateEspaceNote(d Deps) (Func, error) { return needs(d, handleCreateEspaceNote(d.Store), store) }

func handleCreateEspaceNote(s espaceNoteCreator) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, p crm.Principal) error {
		return create(w, r, p, "/espace-apporteur/notes/", func(in espaceNoteInput, idem *crm.Idempotency) (crm.Note, *crm.Replay, error) {
			if _, err := s.ActiveApporteur(r.Context(), p); err != nil {
				return crm.Note{}, nil, err
			}
			return s.CreateNote(r.Context(), p.MIA, p.Apporteur, crm.NewNote{CibleType: crm.CibleContact, CibleID: in.ContactID, Texte: in.Texte}, idem)
		})
	}
}

type espaceNoteLister interface {
	activeChecker
	ListApporteurNotes(ctx context.Context, m crm.MIAID, p crm.ApporteurID, clientID string, o crm.ListOptions) (crm.Page[crm.Note], error)
}

// ListEspaceNotes serves GET /espace-apporteur/notes[?contactId=]: the notes
// shared with it (its own and the MIA's shared ones), never a private one.
func ListEspaceNotes(d Deps) (Func, error) { return needs(d, handleListEspaceNotes(d.Store), store) }

func handleListEspaceNotes(s espaceNoteLister) apiFunc {
	return listPage(func(r *http.Request, p crm.Principal, o crm.ListOptions) (crm.Page[crm.Note], error) {
		var page crm.Page[crm.Note]
		_, err := whileActive(r.Context(), s, p, func(ctx context.Context) error {
			var err error
			page, err = s.ListApporteurNotes(ctx, p.MIA, p.Apporteur, r.URL.Query().Get("contactId"), o)
			return err
		})
		return page, err
	})
}
