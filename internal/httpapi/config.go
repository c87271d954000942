package httpapi

import (
	"net/http"

	"github.com/assentis/mycrm/internal/crm"
)

type configResponse struct {
	Region          string     `json:"region"`
	CognitoEndpoint string     `json:"cognitoEndpoint,omitempty"`
	MIA             poolConfig `json:"mia"`
	Apporteur       poolConfig `json:"apporteur"`
}

type poolConfig struct {
	UserPoolID string `json:"userPoolId"`
	ClientID   string `json:"clientId"`
}

// GetConfig serves GET /config: what a client needs to log in, for both pools.
func GetConfig(d Deps) (Func, error) {
	c := d.Config
	body := configResponse{
		Region:          c.Region,
		CognitoEndpoint: c.CognitoEndpoint,
		MIA:             poolConfig{UserPoolID: c.MIAPoolID, ClientID: c.MIAClientID},
		Apporteur:       poolConfig{UserPoolID: c.ApporteurPoolID, ClientID: c.ApporteurClientID},
	}
	return func(w http.ResponseWriter, _ *http.Request, _ crm.Principal) error {
		w.Header().Set("Cache-Control", "public, max-age=300")
		encode(w, http.StatusOK, body)
		return nil
	}, nil
}
