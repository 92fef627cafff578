package master

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// envRollback tells a re-executed master how to go back: "EXE,STATE",
// the descriptors of the previous executable and of the (sealed) state it
// wrote. envRolledBack tells the previous executable, re-executed that
// way, why the new one could not take over.
const (
	envRollback   = "GOHA_MASTER_ROLLBACK"
	envRolledBack = "GOHA_MASTER_ROLLED_BACK"
)

// Resuming reports whether this process is a master re-executed in place
// by a reload (it must not daemonize again, for one).
func Resuming() bool { return os.Getenv(envHandoff) != "" }

// loadHandoff reads the state a previous image left, if any. On success
// the state's and the rollback's descriptors are closed; on failure they
// are left for rollback.
func loadHandoff() (*masterState, error) {
	v := os.Getenv(envHandoff)
	if v == "" {
		return nil, nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil {
		return nil, fmt.Errorf("bad %s=%q", envHandoff, v)
	}
	data, err := preadAll(fd)
	if err != nil {
		return nil, fmt.Errorf("read master state: %w", err)
	}
	st, err := decodeState(data)
	if err != nil {
		return nil, err
	}
	os.Unsetenv(envHandoff)
	unix.Close(fd)
	if exe, state, ok := rollbackFDs(); ok {
		unix.Close(exe)
		if state != fd {
			unix.Close(state)
		}
	}
	os.Unsetenv(envRollback)
	return st, nil
}

// decodeState decodes a re-exec state and checks it before any of its
// descriptors is adopted: a state this image would misread (another
// version, a descriptor listed twice or below 3, a negative counter) is
// refused whole, and the master rolls back to the previous executable.
func decodeState(data []byte) (*masterState, error) {
	var st masterState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("decode master state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("master state version %d, this binary speaks %d", st.Version, stateVersion)
	}
	if err := st.check(); err != nil {
		return nil, fmt.Errorf("master state: %w", err)
	}
	return &st, nil
}

// check verifies what adopt relies on: every descriptor is above stderr
// and listed once, socket keys and worker PIDs are distinct, counters are
// not negative, signals are signal numbers.
func (st *masterState) check() error {
	fds := map[int]string{}
	fd := func(n int, what string) error {
		if n < 3 {
			return fmt.Errorf("%s has descriptor %d", what, n)
		}
		if prev, dup := fds[n]; dup {
			return fmt.Errorf("descriptor %d is both %s and %s", n, prev, what)
		}
		fds[n] = what
		return nil
	}
	keys := map[string]bool{}
	for _, s := range st.Sockets {
		if s.Key == "" || keys[s.Key] {
			return fmt.Errorf("socket key %q empty or listed twice", s.Key)
		}
		keys[s.Key] = true
		if err := fd(s.FD, "socket "+s.Key); err != nil {
			return err
		}
	}
	pids := map[int]bool{}
	for _, p := range st.Procs {
		if p.Pid <= 0 || pids[p.Pid] || p.Gen < 0 || p.RelNum < 0 || p.ReloadsAtStart < 0 {
			return fmt.Errorf("worker %d: bad or repeated PID, or a negative count", p.Pid)
		}
		pids[p.Pid] = true
		if err := fd(p.IPC, fmt.Sprintf("the IPC socket of worker %d", p.Pid)); err != nil {
			return err
		}
	}
	for _, r := range append(append([]int(nil), st.Replies...), st.QueuedReplies...) {
		if err := fd(r, "a waiting CLI client"); err != nil {
			return err
		}
	}
	if st.CurGen < 0 || st.NextGen < 0 || st.Reloads < 0 || st.Failed < 0 {
		return fmt.Errorf("negative counter (generations %d/%d, reloads %d, failed %d)", st.CurGen, st.NextGen, st.Reloads, st.Failed)
	}
	for _, s := range st.Signals {
		if s < 1 || s > 64 {
			return fmt.Errorf("signal %d", s)
		}
	}
	return nil
}

// preadAll reads fd from offset 0 to its end without moving its offset.
func preadAll(fd int) ([]byte, error) {
	var out []byte
	buf := make([]byte, 64<<10)
	for off := int64(0); ; {
		n, err := unix.Pread(fd, buf, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return out, nil
		}
		out = append(out, buf[:n]...)
		off += int64(n)
	}
}

func rollbackFDs() (exe, state int, ok bool) {
	a, b, found := strings.Cut(os.Getenv(envRollback), ",")
	if !found {
		return 0, 0, false
	}
	exe, err1 := strconv.Atoi(a)
	state, err2 := strconv.Atoi(b)
	return exe, state, err1 == nil && err2 == nil
}

// rollback re-executes the previous executable, kept open across the
// exec, with the state it wrote, after this image could not read it (a
// truncated state, a version this binary does not speak): a bad upgrade
// fails the reload instead of stopping the service. It returns only on
// failure. A rolled-back image never rolls back again.
func (m *Master) rollback(why error) error {
	exe, state, ok := rollbackFDs()
	if !ok {
		return fmt.Errorf("no previous executable was handed over")
	}
	if os.Getenv(envRolledBack) != "" {
		return fmt.Errorf("this is already the previous executable")
	}
	m.log.Warn().Msgf("re-executing the previous executable with its state")
	env := append(envWithout(envHandoff, envRollback, envRolledBack),
		envHandoff+"="+strconv.Itoa(state), envRolledBack+"="+oneLine(why.Error()))
	argv := append([]string{m.opt.Exe}, m.opt.Args...)
	unix.CloseOnExec(exe) // an ELF runs from /proc/self/fd even so; the next image must not inherit it
	unix.FcntlInt(uintptr(state), unix.F_SETFD, 0)
	err := syscall.Exec("/proc/self/fd/"+strconv.Itoa(exe), argv, env)
	return fmt.Errorf("exec the previous executable: %w", err)
}
