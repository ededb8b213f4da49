package simulator

import (
	"encoding/json"
	"net/http"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// ThingSpace's error codes, as its documentation and its API gateway spell them.
const (
	codeInvalidParameter   = "INVALID_PARAMETER"
	codeInvalidCredentials = "900901"
	codeMissingCredentials = "900902"
	codeThrottled          = "900800"
	codeSessionExpired     = "UnifiedWebService.SessionToken.Expired"
	codeLoginFailed        = "UnifiedWebService.Login.InvalidCredentials"
	codeLoginLocked        = "UnifiedWebService.Login.Locked"
)

// jsonMediaType is the only body type ThingSpace's FOTA endpoints accept and send.
const jsonMediaType = "application/json"

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", jsonMediaType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func errorBody(code, message string) thingspace.ErrorBody {
	return thingspace.ErrorBody{ErrorCode: code, ErrorMessage: message}
}

// writeInvalidParameter answers like ThingSpace does for every request it refuses: 400 with
// INVALID_PARAMETER and a free-text message.
func writeInvalidParameter(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusBadRequest, errorBody(codeInvalidParameter, message))
}

func writeUnknownCampaign(w http.ResponseWriter) {
	writeInvalidParameter(w, "Invalid campaign id")
}

func gatewayFault(code, message, description string) thingspace.GatewayFault {
	var f thingspace.GatewayFault
	f.Fault.Code = code
	f.Fault.Message = message
	f.Fault.Description = description
	return f
}

func writeMissingCredentials(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, gatewayFault(codeMissingCredentials, "Missing Credentials",
		"Required OAuth credentials not provided. Make sure your API invocation call has a header: 'Authorization: Bearer ACCESS_TOKEN'"))
}

func writeInvalidCredentials(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, invalidCredentialsFault())
}

func invalidCredentialsFault() thingspace.GatewayFault {
	return gatewayFault(codeInvalidCredentials, "Invalid Credentials",
		"Invalid Credentials. Make sure you have given the correct access token")
}

// mustJSON encodes a value that always encodes (the simulator's own reply types).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// oauthError is the token endpoint's error shape (RFC 6749 section 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}
