package httpapi

import (
	"net/http"
)

type configResponse struct {
	Region          string     `json:"region"`
	CognitoEndpoint string     `json:"cognitoEndpoint,omitempty"`
	Mia             poolConfig `json:"mia"`
	Apporteur       poolConfig `json:"apporteur"`
}

type poolConfig struct {
	UserPoolID string `json:"userPoolId"`
	ClientID   string `json:"clientId"`
}

// GetConfig serves GET /config: what a client needs to log in, for both pools.
func GetConfig(d Deps) http.Handler {
	c := d.Config
	body := configResponse{
		Region:          c.Region,
		CognitoEndpoint: c.CognitoEndpoint,
		Mia:             poolConfig{UserPoolID: c.MiaPoolID, ClientID: c.MiaClientID},
		Apporteur:       poolConfig{UserPoolID: c.ApporteurPoolID, ClientID: c.ApporteurClientID},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		encode(w, http.StatusOK, body)
	})
	return secure(mux)
}
