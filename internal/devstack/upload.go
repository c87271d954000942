package devstack

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

// PostUpload posts data to a presigned upload as the web client's form
// does: the policy's fields, then the file under filename, from origin
// (the bucket's CORS rule answers the web client's). It returns the
// answer with its body read and closed, and leaves the status to the
// caller: the demo and the bench want a 2xx, the e2e tests also expect
// refusals. An error is a request that got no answer.
func PostUpload(ctx context.Context, u crm.Upload, filename string, data []byte, origin string) (*http.Response, []byte, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range u.Fields {
		if err := w.WriteField(k, v); err != nil {
			return nil, nil, err
		}
	}
	fw, err := w.CreateFormFile("file", filename)
	if err != nil {
		return nil, nil, err
	}
	if _, err := fw.Write(data); err != nil {
		return nil, nil, err
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.URL, &b)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body) // a cut body still leaves the status to judge
	return res, body, nil
}
