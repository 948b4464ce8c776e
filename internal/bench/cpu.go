package bench

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// CPUUse is how busy the machine was during a phase, to tell a quiet
// measurement from one shared with other work. Linux only (zero elsewhere).
type CPUUse struct {
	MachineBusy float64 `json:"machine_busy_pct"` // of all CPUs
	Self        float64 `json:"self_pct"`         // this process (client and in-process server), of all CPUs
	Postgres    float64 `json:"postgres_pct"`     // local PostgreSQL processes, of all CPUs
	PGBench     float64 `json:"pgbench_pct"`      // pgbench, of all CPUs
	Others      float64 `json:"others_pct"`       // everything else, of all CPUs
	IOWait      float64 `json:"iowait_pct"`
}

type cpuSampler struct {
	t                time.Time
	busy, total, iow uint64
	self             time.Duration
	ok               bool
	procs            *procTracker
}

func startCPU() *cpuSampler {
	s := &cpuSampler{t: time.Now(), self: selfCPU(), procs: trackProcs("postgres", "pgbench")}
	s.busy, s.total, s.iow, s.ok = procStat()
	return s
}

func (s *cpuSampler) stop() CPUUse {
	byComm := s.procs.stop()
	busy, total, iow, ok := procStat()
	if !ok || !s.ok || total <= s.total {
		return CPUUse{}
	}
	dt := float64(total - s.total)
	u := CPUUse{MachineBusy: 100 * float64(busy-s.busy) / dt, IOWait: 100 * float64(iow-s.iow) / dt}
	wall := time.Since(s.t).Seconds() * float64(runtime.NumCPU())
	if wall > 0 {
		u.Self = 100 * (selfCPU() - s.self).Seconds() / wall
		u.Postgres = 100 * byComm["postgres"].Seconds() / wall
		u.PGBench = 100 * byComm["pgbench"].Seconds() / wall
	}
	u.Others = max(0, u.MachineBusy-u.Self-u.Postgres-u.PGBench)
	return u
}

func (u CPUUse) String() string {
	if u == (CPUUse{}) {
		return "unavailable"
	}
	pg := ""
	if u.Postgres > 0 {
		pg = fmt.Sprintf(", postgres %.0f%%", u.Postgres)
	}
	if u.PGBench > 0 {
		pg += fmt.Sprintf(", pgbench %.0f%%", u.PGBench)
	}
	return fmt.Sprintf("machine %.0f%% busy (of %d CPUs): this process %.0f%%%s, other processes %.0f%%, iowait %.0f%%",
		u.MachineBusy, runtime.NumCPU(), u.Self, pg, u.Others, u.IOWait)
}

// procStat reads the aggregate CPU line of /proc/stat (in ticks).
func procStat() (busy, total, iowait uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, 0, false
	}
	var v [10]uint64
	for i := 1; i < len(f) && i <= 10; i++ {
		v[i-1], _ = strconv.ParseUint(f[i], 10, 64)
	}
	// user nice system idle iowait irq softirq steal guest guest_nice
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
	return busy, busy + v[3] + v[4], v[4], true
}

// procTracker follows the CPU time of processes by name while a phase
// runs, sampling /proc every 250 ms so that short-lived processes
// (PostgreSQL backends of pgbench connections) are counted too. Processes
// born during the phase start from zero.
type procTracker struct {
	comms map[string]bool
	base  map[int]time.Duration // CPU at first sight, for processes alive at start
	last  map[int]procCPU
	stopc chan struct{}
	done  chan struct{}
}

type procCPU struct {
	comm string
	cpu  time.Duration
}

func trackProcs(comms ...string) *procTracker {
	t := &procTracker{comms: map[string]bool{}, base: map[int]time.Duration{}, last: map[int]procCPU{}, stopc: make(chan struct{}), done: make(chan struct{})}
	for _, c := range comms {
		t.comms[c] = true
	}
	for pid, p := range t.scan() {
		t.base[pid] = p.cpu
		t.last[pid] = p
	}
	go func() {
		defer close(t.done)
		tk := time.NewTicker(250 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-t.stopc:
				return
			case <-tk.C:
				for pid, p := range t.scan() {
					t.last[pid] = p
				}
			}
		}
	}()
	return t
}

func (t *procTracker) stop() map[string]time.Duration {
	close(t.stopc)
	<-t.done
	for pid, p := range t.scan() {
		t.last[pid] = p
	}
	out := map[string]time.Duration{}
	for pid, p := range t.last {
		out[p.comm] += p.cpu - t.base[pid]
	}
	return out
}

// scan reads utime+stime of the tracked processes (Linux /proc).
func (t *procTracker) scan() map[int]procCPU {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := map[int]procCPU{}
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open || !t.comms[s[open+1:close]] {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 13 { // f[0] is field 3 (state); utime and stime are fields 14 and 15
			continue
		}
		ut, _ := strconv.ParseUint(f[11], 10, 64)
		st, _ := strconv.ParseUint(f[12], 10, 64)
		out[pid] = procCPU{comm: s[open+1 : close], cpu: time.Duration(ut+st) * time.Second / clockTicks}
	}
	return out
}

// clockTicks is USER_HZ, 100 on every Linux platform Go supports.
const clockTicks = 100
