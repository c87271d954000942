package emulators

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"
)

// Email is a message aws-ses-v2-local received.
type Email struct {
	MessageID string
	From      string
	To, Cc    []string
	Bcc       []string
	Subject   string
	HTML      string
	Text      string
	At        time.Time
}

// Emails returns every email an aws-ses-v2-local Emulator received, oldest first.
func (e *Emulator) Emails(ctx context.Context) ([]Email, error) { return readEmails(ctx, e.URL) }

// readEmails reads the mailbox of the aws-ses-v2-local at sesURL.
func readEmails(ctx context.Context, sesURL string) ([]Email, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sesURL+"/store", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the local mailbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read the local mailbox: status %d", resp.StatusCode)
	}
	var doc struct {
		Emails []struct {
			MessageID   string `json:"messageId"`
			From        string `json:"from"`
			Destination struct {
				To, Cc, Bcc []string
			} `json:"destination"`
			Subject string `json:"subject"`
			Body    struct {
				HTML string `json:"html"`
				Text string `json:"text"`
			} `json:"body"`
			At float64 `json:"at"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode the local mailbox: %w", err)
	}
	out := make([]Email, 0, len(doc.Emails))
	for _, e := range doc.Emails {
		out = append(out, Email{
			MessageID: e.MessageID, From: e.From, To: e.Destination.To, Cc: e.Destination.Cc, Bcc: e.Destination.Bcc,
			Subject: e.Subject, HTML: e.Body.HTML, Text: e.Body.Text, At: time.Unix(int64(e.At), 0),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
