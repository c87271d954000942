package crm

// Idempotency asks a create to record its answer under the caller's
// Idempotency-Key, in the same write as the entity, so that a retry of the
// same request gets that answer again (a Replay) instead of a second entity.
type Idempotency struct {
	// Sub is the caller (the token's subject); Key the header it sent.
	Sub, Key string
	// Hash identifies the request (method, path, body): the same key with
	// another request is refused.
	Hash string
	// Answer renders the answer to record for the created entity (the value
	// the create returns). The store keeps it as opaque bytes.
	Answer func(created any) ([]byte, error)
}

// Replay is what a create returns, instead of creating, when the key was
// already used for the same request: the answer recorded the first time,
// as Idempotency.Answer rendered it.
type Replay struct {
	Answer []byte
}
