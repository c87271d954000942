package crm

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestRoundHalfUp(t *testing.T) {
	tests := []struct{ v, d, want int64 }{
		{5, 10, 1}, {4, 10, 0}, {15, 10, 2}, {-5, 10, -1}, {-4, 10, 0}, {1000, 3, 333}, {2000, 3, 667}, {0, 7, 0},
	}
	for _, tt := range tests {
		if got := RoundHalfUp(tt.v, tt.d); got != tt.want {
			t.Errorf("RoundHalfUp(%d, %d) = %d, want %d", tt.v, tt.d, got, tt.want)
		}
	}
}

func TestRepriseFactor(t *testing.T) {
	tests := []struct {
		name         string
		signe, resil string
		rs           RepriseSettings
		num, den     int64
		inside       bool
	}{
		{"prorata at signature", "2026-01-01", "2026-01-01", RepriseSettings{}, 365, 365, true},
		{"prorata half-way", "2026-01-01", "2026-07-02", RepriseSettings{}, 183, 365, true},
		{"window end is outside", "2026-01-01", "2027-01-01", RepriseSettings{}, 0, 1, false},
		{"totale inside", "2026-01-01", "2026-12-31", RepriseSettings{Mode: RepriseTotale}, 1, 1, true},
		{"short window", "2026-01-31", "2026-03-01", RepriseSettings{DelaiMois: 1, Mode: RepriseTotale}, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			num, den, inside := RepriseFactor(tt.signe, tt.resil, tt.rs)
			if num != tt.num || den != tt.den || inside != tt.inside {
				t.Errorf("got %d/%d %v, want %d/%d %v", num, den, inside, tt.num, tt.den, tt.inside)
			}
		})
	}
}

func TestLedgerOfAffaire(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	a := Affaire{ID: "A1", ApporteurID: "P1", Statut: AffaireSignee, PrimeAnnuelleCentimes: 100_000,
		TauxCommissionMIA: 10, TauxCommissionApporteur: ptr(25), UpdatedAt: at, Version: 2}
	ch := LedgerOfAffaire(a, nil, nil, RepriseSettings{})
	if ch == nil || len(ch.Lines) != 1 {
		t.Fatalf("signature: got %+v, want one acquise line", ch)
	}
	if got, want := ch.Lines[0].MontantCentimes, int64(2500); got != want {
		t.Errorf("acquise = %d, want %d", got, want)
	}
	sig := ch.Signature
	if again := LedgerOfAffaire(a, &sig, ch.Lines, RepriseSettings{}); again != nil {
		t.Errorf("same version again: got %+v, want nothing", again)
	}
	a.TauxCommissionApporteur, a.Version = ptr(20), 3
	reg := LedgerOfAffaire(a, &sig, ch.Lines, RepriseSettings{})
	if reg == nil || reg.Lines[0].Nature != NatureRegularisation || reg.Lines[0].MontantCentimes != -500 {
		t.Fatalf("rate edit: got %+v, want a régularisation of -500", reg)
	}
	enc := ShareLine(reg.Signature, Encaissement{ID: "E1", Date: "2026-03-20", MontantCentimes: 10_001, AnneeContrat: 1, CreatedAt: at})
	if got, want := enc.MontantCentimes, int64(2500); got != want { // 10 001 × 25 % = 2 500,25 → frozen rate 25
		t.Errorf("share = %d, want %d", got, want)
	}
}

func TestSettle(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := []Ligne{
		{ID: "b", Nature: NatureEncaissement, Statut: LigneAVerser, MontantCentimes: 50, EnregistreeLe: t0.Add(time.Hour)},
		{ID: "a", Nature: NatureEncaissement, Statut: LigneAVerser, MontantCentimes: 100, EnregistreeLe: t0},
	}
	s := SoldeOf("P", lines)
	tests := []struct {
		name   string
		amount int64
		chosen []string
		want   []string
		err    bool
	}{
		{"oldest first", 120, nil, []string{"a"}, false},
		{"all", 150, nil, []string{"a", "b"}, false},
		{"too little for any", 10, nil, nil, false},
		{"chosen", 50, []string{"b"}, []string{"b"}, false},
		{"chosen too much", 40, []string{"b"}, nil, true},
		{"unknown line", 500, []string{"z"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Settle(lines, s, tt.amount, tt.chosen)
			if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// book is an in-memory ledger applying the domain's decisions as the store
// does in its transactions: the reference the fuzz target checks.
type book struct {
	affaires map[AffaireID]Affaire
	history  []Affaire // every affaire version, in stream order
	sigs     map[AffaireID]Signature
	lines    map[string]Ligne
	order    []string
	solde    Solde
	releves  []Releve
	frozen   map[string]string // versée line id → its JSON when it became versée
	issued   []string          // JSON of each relevé at issue
	rs       RepriseSettings
	n        int
}

func newBook(rs RepriseSettings) *book {
	return &book{affaires: map[AffaireID]Affaire{}, sigs: map[AffaireID]Signature{}, lines: map[string]Ligne{},
		frozen: map[string]string{}, rs: rs}
}

func (b *book) all() []Ligne {
	out := make([]Ligne, 0, len(b.order))
	for _, id := range b.order {
		out = append(out, b.lines[id])
	}
	return out
}

func (b *book) write(l Ligne) {
	if _, ok := b.lines[l.ID]; ok {
		return
	}
	b.lines[l.ID] = l
	b.order = append(b.order, l.ID)
	b.solde = b.solde.Add(l.Delta())
}

// stream delivers an affaire version to the ledger handler.
func (b *book) stream(a Affaire) {
	var sig *Signature
	if s, ok := b.sigs[a.ID]; ok {
		sig = &s
	}
	ch := LedgerOfAffaire(a, sig, b.all(), b.rs)
	if ch == nil {
		return
	}
	for _, id := range ch.Annul {
		l := b.lines[id]
		b.solde = b.solde.Add(Solde{AVerserCentimes: -l.MontantCentimes})
		l.Statut = LigneAnnulee
		b.lines[id] = l
	}
	for _, l := range ch.Lines {
		b.write(l)
	}
	b.sigs[a.ID] = ch.Signature
}

func (b *book) update(a Affaire, at time.Time) {
	a.Version++
	a.UpdatedAt = at
	b.affaires[a.ID] = a
	b.history = append(b.history, a)
	b.stream(a)
}

func FuzzLedger(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{0, 0, 2, 2, 3, 3, 4, 9, 5, 1, 6, 7, 3, 200, 4, 8, 255, 6})
	f.Fuzz(func(t *testing.T, ops []byte) {
		rs := RepriseSettings{}
		if len(ops) > 0 && ops[0]%2 == 1 {
			rs.Mode = RepriseTotale
		}
		b := newBook(rs)
		now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
		next := func(i int) byte {
			if i < len(ops) {
				return ops[i]
			}
			return 0
		}
		for i := 0; i < len(ops); i++ {
			op, arg := ops[i]%8, int(next(i+1))
			now = now.Add(time.Duration(1+arg) * 37 * time.Hour)
			switch op {
			case 0: // a new affaire, signed
				b.n++
				a := Affaire{ID: AffaireID(fmt.Sprintf("A%03d", b.n)), ApporteurID: "P", Statut: AffaireSignee,
					PrimeAnnuelleCentimes: int64(arg)*997 + 1, TauxCommissionMIA: arg%30 + 1, TauxCommissionApporteur: ptr(TauxApporteur[arg%3]),
					Version: 0}
				b.update(a, now)
			case 1: // a rate or prime edit
				if a, ok := b.pick(arg, AffaireSignee); ok {
					a.TauxCommissionApporteur = ptr(TauxApporteur[(arg/3)%3])
					a.PrimeAnnuelleCentimes += int64(arg) * 13
					b.update(a, now)
				}
			case 2, 3: // an encaissement
				if a, ok := b.pick(arg, AffaireSignee); ok {
					sig := b.sigs[a.ID]
					b.n++
					e := Encaissement{ID: fmt.Sprintf("E%03d", b.n), AffaireID: a.ID, Date: Day(now),
						MontantCentimes: int64(arg)*311 + 7, AnneeContrat: 1, CreatedAt: now}
					b.write(ShareLine(sig, e))
				}
			case 4: // a versement
				amount := int64(arg) * 53
				if amount == 0 {
					amount = 1
				}
				settled, err := Settle(b.all(), b.solde, amount, nil)
				if err != nil {
					t.Fatalf("settle: %v", err)
				}
				b.n++
				v := Versement{ID: fmt.Sprintf("V%03d", b.n), ApporteurID: "P", Date: Day(now), MontantCentimes: amount, CreatedAt: now}
				for _, id := range settled {
					l := b.lines[id]
					l.Statut, l.VersementID = LigneVersee, v.ID
					b.lines[id] = l
					b.solde = b.solde.Add(Solde{AVerserCentimes: -l.MontantCentimes})
					js, _ := json.Marshal(l)
					b.frozen[id] = string(js)
				}
				b.write(VersementLine(v))
			case 5, 6: // a résiliation (the clock decides inside or outside the window)
				if a, ok := b.pick(arg, AffaireSignee); ok {
					a.Statut = AffaireResiliee
					now = now.Add(time.Duration(arg%4) * 120 * 24 * time.Hour)
					b.update(a, now)
				}
			case 7: // issue the previous month's relevé
				mois := PreviousMonth(now)
				var prev *Releve
				if n := len(b.releves); n > 0 {
					if b.releves[n-1].Mois >= mois {
						continue
					}
					prev = &b.releves[n-1]
				}
				r, ok := BuildReleve("P", mois, prev, b.all())
				if !ok {
					t.Fatalf("month %q refused", mois)
				}
				if prev != nil && r.SoldeInitialCentimes != prev.SoldeFinalCentimes {
					t.Fatalf("relevé %s opens at %d, previous closed at %d", mois, r.SoldeInitialCentimes, prev.SoldeFinalCentimes)
				}
				b.releves = append(b.releves, r)
				js, _ := json.Marshal(r)
				b.issued = append(b.issued, string(js))
			}
			b.check(t)
		}
		// Replaying the whole stream changes nothing.
		before, _ := json.Marshal(b.all())
		for _, a := range b.history {
			b.stream(a)
		}
		after, _ := json.Marshal(b.all())
		if string(before) != string(after) {
			t.Fatalf("replay changed the ledger:\n%s\n%s", before, after)
		}
		b.check(t)
	})
}

// pick returns the arg-th affaire in statut st, if any.
func (b *book) pick(arg int, st AffaireStatut) (Affaire, bool) {
	var ids []AffaireID
	for i := 1; i <= b.n; i++ {
		id := AffaireID(fmt.Sprintf("A%03d", i))
		if a, ok := b.affaires[id]; ok && a.Statut == st {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return Affaire{}, false
	}
	return b.affaires[ids[arg%len(ids)]], true
}

func (b *book) check(t *testing.T) {
	t.Helper()
	all := b.all()
	if got, want := b.solde.Figures(), SoldeOf("P", all).Figures(); got != want {
		t.Fatalf("kept balances %v, sum of the lines %v", got, want)
	}
	var sum int64
	for _, l := range all {
		if l.CountsInSolde() {
			sum += l.MontantCentimes
		}
		if l.Nature == NatureReprise {
			src := b.lines[l.SourceID]
			if src.Statut != LigneVersee || -l.MontantCentimes > src.MontantCentimes || l.MontantCentimes >= 0 {
				t.Fatalf("reprise %+v of %+v", l, src)
			}
		}
	}
	if sum != b.solde.SoldeCentimes {
		t.Fatalf("solde %d, sum of lines %d", b.solde.SoldeCentimes, sum)
	}
	for id, js := range b.frozen {
		now, _ := json.Marshal(b.lines[id])
		if string(now) != js {
			t.Fatalf("versée line %s changed:\n%s\n%s", id, js, now)
		}
	}
	for i, r := range b.releves {
		js, _ := json.Marshal(r)
		if string(js) != b.issued[i] {
			t.Fatalf("relevé %s changed", r.Mois)
		}
		var prev *Releve
		if i > 0 {
			prev = &b.releves[i-1]
		}
		again, _ := BuildReleve("P", r.Mois, prev, all)
		if again.SoldeFinalCentimes != r.SoldeFinalCentimes || len(again.Lignes) != len(r.Lignes) {
			t.Fatalf("relevé %s built again: %d (%d lines), issued %d (%d lines)", r.Mois,
				again.SoldeFinalCentimes, len(again.Lignes), r.SoldeFinalCentimes, len(r.Lignes))
		}
		var total int64
		for _, l := range r.Lignes {
			if l.CountsInSolde() {
				total += l.MontantCentimes
			}
		}
		if r.SoldeFinalCentimes != r.SoldeInitialCentimes+total {
			t.Fatalf("relevé %s: %d + %d ≠ %d", r.Mois, r.SoldeInitialCentimes, total, r.SoldeFinalCentimes)
		}
	}
}
