package shacrypt

import "testing"

// The hashes were made with `openssl passwd -5|-6 -salt S pw` and
// Python's crypt module (rounds=).
func TestVerify(t *testing.T) {
	for _, c := range []struct {
		pass, hash string
		want       bool
	}{
		{"pw", "$6$abcdefgh$KQeXafAQAaOoKTevphVU215RvJdgzyfASRasIOuh12hO8u0r1bGW92ZnTmC9IjsiQ8VPiTXBiZF49dFL1U4wX/", true},
		{"pw", "$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5", true},
		{"pw", "$6$rounds=1000$xyz$wOJ2c8aa7onHGnzu7gvD8VXkJo1kFom15oDyPyEoivpgpQpqco/4cWuEB0cG64RTMoUS2ZSmCX0aFtXQNe9L0/", true},
		{"bad", "$5$saltsalt$0rl.MZtoLLPP3X0Rdl8riRnphIcAXJY27/aOAyK2hB5", false},
		{"pw", "$1$abc$xyz", false},
		{"pw", "plain", false},
	} {
		if got := Verify(c.pass, c.hash); got != c.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", c.pass, c.hash, got, c.want)
		}
	}
}
