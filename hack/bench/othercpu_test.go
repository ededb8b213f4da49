package main

import "testing"

func TestParseProcessStat(t *testing.T) {
	tests := map[string]struct {
		stat string
		want processStat
	}{
		"an ordinary process": {
			stat: "4242 (kube-apiserver) S 4000 4242 4000 0 -1 4194560 9000 0 0 0 1250 310 0 0 20 0 12 0 500 1 1",
			want: processStat{parent: 4000, cpu: 15.6},
		},
		"a command name with spaces and a parenthesis does not shift the fields": {
			stat: "17 (a b) c)) R 1 17 1 0 -1 0 0 0 0 0 200 100 0 0 20 0 1 0 5 1 1",
			want: processStat{parent: 1, cpu: 3},
		},
		"a truncated line gives nothing rather than wrong figures": {
			stat: "17 (short) R 1 17",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := parseProcessStat(tt.stat); got != tt.want {
				t.Fatalf("parseProcessStat = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBusyCPUCountsAllButIdleAndIOWait(t *testing.T) {
	// user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms
	procStat := "cpu  1000 50 300 90000 700 20 30 100 0 0\ncpu0 500 25 150 45000 350 10 15 50 0 0\n"
	if got, want := busyCPU(procStat), 15.0; got != want {
		t.Fatalf("busyCPU = %g s, want %g s", got, want)
	}
}
