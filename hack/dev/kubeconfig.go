package main

import (
	"bytes"
	"errors"
	"os"
)

// removeOwnKubeconfig deletes the kubeconfig at path if it is still the one this run wrote: after
// the control plane is gone it points at nothing, and a file someone replaced meanwhile is theirs.
func removeOwnKubeconfig(path string, written []byte) error {
	current, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && !bytes.Equal(current, written)) {
		return nil
	}
	if err != nil {
		return err
	}
	return os.Remove(path)
}
