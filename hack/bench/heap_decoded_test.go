package main

import (
	"encoding/json"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

func TestDecodedHeapBytesGrowsWithTheDevices(t *testing.T) {
	const devices = 20_000
	list := fotav1alpha1.FotaCampaignList{Items: []fotav1alpha1.FotaCampaign{{ObjectMeta: metav1.ObjectMeta{Name: "c"}}}}
	for i := range devices {
		list.Items[0].Spec.Devices = append(list.Items[0].Spec.Devices, fotav1alpha1.DeviceID(fmt.Sprintf("35%013d", i)))
	}
	data, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodedHeapBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	// A device is a string header (16 bytes) and its 15 digits (a 16-byte allocation).
	if perDevice := got / devices; perDevice < 28 || perDevice > 40 {
		t.Fatalf("decoded heap %.0f B, %.1f B a device; want about 32 B a device", got, perDevice)
	}
}
