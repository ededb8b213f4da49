package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicksPerSecond is the unit of /proc's CPU times (USER_HZ), 100 on every Linux build
// that matters here.
const clockTicksPerSecond = 100

// cpuTimes are CPU seconds spent so far by the whole machine and by the benchmark's own processes:
// itself (clients, watches, simulator) and its children (kube-apiserver, etcd, the manager).
// Their difference over a step is the CPU other work took from the two shared cores meanwhile,
// which tells a slow step on a busy machine from a slow operator.
type cpuTimes struct{ machine, ours float64 }

// readCPUTimes reads /proc; where there is none (not Linux), it returns zeros.
func readCPUTimes() cpuTimes {
	self := os.Getpid()
	ours := readProcessStat(strconv.Itoa(self)).cpu
	if entries, err := os.ReadDir("/proc"); err == nil {
		for _, entry := range entries {
			if _, err := strconv.Atoi(entry.Name()); err != nil {
				continue
			}
			if stat := readProcessStat(entry.Name()); stat.parent == self {
				ours += stat.cpu
			}
		}
	}
	return cpuTimes{machine: machineBusyCPU(), ours: ours}
}

// otherCPUSince is the CPU seconds processes other than the benchmark's took since before.
func (c cpuTimes) otherCPUSince(before cpuTimes) float64 {
	return max((c.machine-before.machine)-(c.ours-before.ours), 0)
}

// machineBusyCPU is the machine's busy CPU seconds so far, 0 when unknown.
func machineBusyCPU() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	return busyCPU(string(data))
}

// busyCPU sums the busy times of the first line of /proc/stat: every state but idle and iowait.
func busyCPU(procStat string) float64 {
	line, _, _ := strings.Cut(procStat, "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0
	}
	var busy float64
	// user nice system idle iowait irq softirq steal
	for i, field := range fields[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		ticks, _ := strconv.ParseFloat(field, 64)
		busy += ticks
	}
	return busy / clockTicksPerSecond
}

// processStat is what /proc/<pid>/stat says of a process: its parent and its user and system CPU
// seconds (fields 4, 14 and 15 of proc(5)).
type processStat struct {
	parent int
	cpu    float64
}

func readProcessStat(pid string) processStat {
	data, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return processStat{}
	}
	return parseProcessStat(string(data))
}

// parseProcessStat reads the fields after the command name, which is in parentheses and may
// hold spaces and parentheses itself: the last ")" ends it.
func parseProcessStat(stat string) processStat {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return processStat{}
	}
	fields := strings.Fields(stat[end+1:]) // fields[0] is field 3 of proc(5), the state
	if len(fields) < 13 {
		return processStat{}
	}
	parent, _ := strconv.Atoi(fields[1])
	user, _ := strconv.ParseFloat(fields[11], 64)
	system, _ := strconv.ParseFloat(fields[12], 64)
	return processStat{parent: parent, cpu: (user + system) / clockTicksPerSecond}
}
