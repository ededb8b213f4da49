package main

import "testing"

func TestMemStatReadsTheFieldAtTheEndOfAHeapProfile(t *testing.T) {
	profile := []byte(`heap profile: 3: 4096 [10: 81920] @ heap/1048576
1: 1024 [2: 2048] @ 0x4a0c1d 0x46d4c1
#	0x4a0c1c	main.main+0x3c	/src/main.go:12

# runtime.MemStats
# Alloc = 1503232
# HeapAlloc = 1503232
# HeapInuse = 2727936
# HeapInuseExtra = 1
`)
	tests := map[string]struct {
		field   string
		want    float64
		wantErr bool
	}{
		"heap in use, not a field that starts with its name": {field: "HeapInuse", want: 2727936},
		"live bytes": {field: "HeapAlloc", want: 1503232},
		"a field the profile lacks is an error, not 0": {field: "HeapReleased", wantErr: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := memStat(profile, tt.field)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("memStat(%s) = %v, %v; want %v, error %v", tt.field, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
