package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/oklog/ulid/v2"
)

// LoadStat is one bulk load of other MIAs' items.
type LoadStat struct {
	Op          string  `json:"op"` // load or delete
	Items       int     `json:"items"`
	Seconds     float64 `json:"seconds"`
	ItemsPerSec float64 `json:"itemsPerSecond"`
	Workers     int     `json:"workers"`
}

// benchType prefixes the "type" attribute of the generated items: the stream
// consumers, which dispatch on it, read their records and leave them alone
// (they belong to no real MIA, so a notification could not be sent).
const benchType = "bench-"

// otherMIAItems is how many items each generated MIA owns: a realistic
// cabinet (contacts, entreprises, affaires with historique, apporteurs, and
// the search index of its contacts, entreprises and affaires).
const otherMIAItems = 1000

// bulkLoad writes n items belonging to other, generated MIAs (ids distinct
// from every real tenant) with BatchWriteItem from many goroutines. Items have
// the key shapes of the real ones (PK/SK and the GSI attributes of contacts,
// affaires, historique, apporteurs; search-index items as the stream handler
// writes them), so they land in the same indexes and partitions' key ranges
// with other partition keys. seq numbers the MIAs across calls.
func bulkLoad(ctx context.Context, db *dynamodb.Client, table string, n, workers int, seq *int) (LoadStat, []map[string]types.AttributeValue, error) {
	var keys []map[string]types.AttributeValue
	g := &otherGen{seq: seq, rng: rand.New(rand.NewPCG(uint64(*seq), 42))}
	st, err := batchWrite(ctx, db, table, n, workers, func(int) types.WriteRequest {
		item := g.next()
		keys = append(keys, map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]})
		return types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	})
	return st, keys, err
}

// otherGen yields the items of generated MIAs one by one: each MIA's
// entities with their index items, until the MIA holds otherMIAItems.
type otherGen struct {
	seq     *int
	rng     *rand.Rand
	mia     string
	inMIA   int // items of the current MIA so far
	k       int // next entity of the current MIA
	pending []map[string]types.AttributeValue
}

func (g *otherGen) next() map[string]types.AttributeValue {
	for len(g.pending) == 0 {
		if g.mia == "" || g.inMIA >= otherMIAItems {
			*g.seq++
			g.mia, g.inMIA, g.k = fmt.Sprintf("01BENCH%019d", *g.seq), 0, 0
		}
		g.pending = otherEntity(g.mia, g.k, g.rng)
		g.k++
	}
	it := g.pending[0]
	g.pending = g.pending[1:]
	g.inMIA++
	return it
}

// bulkDelete deletes the items of the given keys, as bulkLoad wrote them.
func bulkDelete(ctx context.Context, db *dynamodb.Client, table string, keys []map[string]types.AttributeValue, workers int) (LoadStat, error) {
	return batchWrite(ctx, db, table, len(keys), workers, func(i int) types.WriteRequest {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: keys[i]}}
	})
}

// batchWrite sends the n requests req(0…n-1) in BatchWriteItem batches of 25
// from workers goroutines.
func batchWrite(ctx context.Context, db *dynamodb.Client, table string, n, workers int, req func(i int) types.WriteRequest) (LoadStat, error) {
	start := time.Now()
	batches := make(chan []types.WriteRequest, workers*2)
	var firstErr error
	var errOnce sync.Once
	var written atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				if err := writeBatch(ctx, db, table, b); err != nil {
					errOnce.Do(func() { firstErr = err })
					continue
				}
				written.Add(int64(len(b)))
			}
		}()
	}
	var batch []types.WriteRequest
	for i := 0; i < n && ctx.Err() == nil; i++ {
		batch = append(batch, req(i))
		if len(batch) == 25 {
			batches <- batch
			batch = nil
		}
	}
	if len(batch) > 0 {
		batches <- batch
	}
	close(batches)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	d := time.Since(start)
	return LoadStat{Op: "load", Items: int(written.Load()), Seconds: d.Seconds(), ItemsPerSec: float64(written.Load()) / d.Seconds(), Workers: workers}, firstErr
}

func writeBatch(ctx context.Context, db *dynamodb.Client, table string, reqs []types.WriteRequest) error {
	for attempt := 0; len(reqs) > 0; attempt++ {
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		reqs = out.UnprocessedItems[table]
		if attempt > 20 {
			return fmt.Errorf("batch write: %d items still unprocessed", len(reqs))
		}
		if len(reqs) > 0 {
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
		}
	}
	return nil
}

var (
	statutsContact = []string{"prospect", "client"}
	statutsAffaire = []string{"en_cours", "en_cours", "signee", "perdue"}
	villes         = []string{"Lyon", "Paris", "Bordeaux", "Nantes", "Lille", "Rennes", "Nice", "Dijon"}
	noms           = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"}
)

// otherEntity is the k-th entity of MIA m: 40 % contacts, 10 % entreprises,
// 20 % affaires, 25 % historique entries, 5 % apporteurs; contacts,
// entreprises and affaires come with their search-index items (the words
// the stream handler would index, built by crm and internal/dynamo as it
// builds them), so a contact is ≈ 8 items. Keys come from internal/dynamo,
// so they have the shapes of the real items.
func otherEntity(m string, k int, rng *rand.Rand) []map[string]types.AttributeValue {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v int) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }
	mia := crm.MIAID(m)
	id := ulid.Make().String()
	apporteur := crm.ApporteurID(fmt.Sprintf("01APPORTEUR%015d", k%50))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(300*24)) * time.Hour)
	ts := at.Format("2006-01-02T15:04:05.000000000Z")
	nom := noms[rng.IntN(len(noms))]
	item := map[string]types.AttributeValue{
		"PK": s(dynamo.MIAPK(mia)), "createdAt": s(ts), "updatedAt": s(ts), "version": n(1),
	}
	var index *crm.SearchEntry // the entity's search-index entry, if it has one
	switch r := k % 20; {
	case r < 8: // contact
		statut := statutsContact[rng.IntN(2)]
		item["SK"] = s(dynamo.ContactSK(crm.ContactID(id)))
		item["GSI1PK"], item["GSI1SK"] = s(dynamo.ClientCollection(mia, id)), s("#")
		item["GSI2PK"], item["GSI2SK"] = s(dynamo.ContactStatutList(mia, crm.ContactStatut(statut))), s(id)
		if r%2 == 0 {
			item["GSI3PK"], item["GSI3SK"] = s(dynamo.ApporteurCollection(mia, apporteur)), s(dynamo.ContactSK(crm.ContactID(id)))
			item["apporteurId"] = s(string(apporteur))
		}
		item["type"], item["id"], item["statut"] = s(benchType+"contact"), s(id), s(statut)
		item["nom"], item["prenom"] = s(nom), s("Camille")
		item["email"] = s(strings.ToLower(nom) + "." + strings.ToLower(id[16:]) + "@exemple.fr")
		item["telephone"] = s(fmt.Sprintf("+336%08d", rng.IntN(1e8)))
		item["ville"] = s(villes[rng.IntN(len(villes))])
		item["recherche"] = s(strings.ToLower(nom) + " camille")
		if e, ok := crm.SearchEntryOfContact(crm.Contact{ID: crm.ContactID(id), Nom: nom, Prenom: "Camille",
			Email: item["email"].(*types.AttributeValueMemberS).Value, Telephone: item["telephone"].(*types.AttributeValueMemberS).Value}); ok {
			index = &e
		}
	case r < 10: // entreprise
		item["SK"] = s(dynamo.EntrepriseSK(crm.EntrepriseID(id)))
		item["GSI1PK"], item["GSI1SK"] = s(dynamo.ClientCollection(mia, id)), s("#")
		item["type"], item["id"] = s(benchType+"entreprise"), s(id)
		item["raisonSociale"] = s(nom + " et Fils SARL")
		item["siren"] = s(fmt.Sprintf("%09d", rng.IntN(1e9)))
		item["adresse"] = s("12 rue de la République, 69002 " + villes[rng.IntN(len(villes))])
		e := crm.SearchEntryOfEntreprise(crm.Entreprise{ID: crm.EntrepriseID(id), RaisonSociale: nom + " et Fils SARL",
			Siren: item["siren"].(*types.AttributeValueMemberS).Value})
		index = &e
	case r < 14: // affaire
		statut := statutsAffaire[rng.IntN(len(statutsAffaire))]
		client := ulid.Make().String()
		sk := dynamo.AffaireSK(crm.AffaireID(id))
		item["SK"] = s(sk)
		item["GSI1PK"], item["GSI1SK"] = s(dynamo.ClientCollection(mia, client)), s(sk)
		item["GSI2PK"], item["GSI2SK"] = s(dynamo.AffaireStatutList(mia, crm.AffaireStatut(statut))), s(id)
		item["GSI3PK"], item["GSI3SK"] = s(dynamo.ApporteurCollection(mia, apporteur)), s(sk)
		item["type"], item["id"], item["statut"] = s(benchType+"affaire"), s(id), s(statut)
		item["clientId"], item["produitId"], item["apporteurId"] = s(client), s("SANTE_TNS"), s(string(apporteur))
		item["primeAnnuelleCentimes"] = n(50000 + rng.IntN(500000))
		item["tauxCommissionMIA"], item["tauxCommissionApporteur"] = n(10+rng.IntN(20)), n([]int{15, 20, 25}[rng.IntN(3)])
		item["clientNom"], item["produitNom"] = s("Camille "+nom), s("Santé TNS")
		e := crm.SearchEntryOfAffaire(crm.Affaire{ID: crm.AffaireID(id), ClientNom: "Camille " + nom, ProduitNom: "Santé TNS",
			Statut: crm.AffaireStatut(statut)})
		index = &e
	case r < 19: // historique entry
		affaire := crm.AffaireID(ulid.Make().String())
		item["SK"] = s(dynamo.HistoriqueSK(affaire, at, 0))
		item["GSI3PK"], item["GSI3SK"] = s(dynamo.ApporteurCollection(mia, apporteur)), s(dynamo.HistoriqueApporteurSK(affaire, at, 0))
		item["type"], item["statut"], item["auteur"] = s(benchType+"historique"), s("en_cours"), s("MIA")
		item["message"] = s("Affaire créée")
	default: // apporteur
		// Its own id (the others refer to 50 of them, some not loaded).
		apporteur = crm.ApporteurID(fmt.Sprintf("01APPORTEUR%015d", k))
		item["SK"] = s(dynamo.ApporteurSK(apporteur))
		item["GSI2PK"], item["GSI2SK"] = s(dynamo.ApporteurStatutList(mia, "actif")), s(string(apporteur))
		item["type"], item["id"], item["statut"] = s(benchType+"apporteur"), s(string(apporteur)), s("actif")
		item["nom"], item["email"] = s(nom), s(strings.ToLower(nom)+"."+strings.ToLower(id[16:])+"@apporteur.fr")
		item["telephone"] = s(fmt.Sprintf("+336%08d", rng.IntN(1e8)))
		item["localisation"] = s(villes[rng.IntN(len(villes))])
	}
	out := []map[string]types.AttributeValue{item}
	if index != nil {
		words, err := dynamo.SearchItems(mia, *index)
		if err != nil {
			panic(err) // strings only: cannot fail
		}
		out = append(out, words...)
	}
	return out
}
