package stream

import (
	"fmt"

	"github.com/goha/goha/config"
	"github.com/goha/goha/proxy/stick"
)

// peersTables makes the tables declared by `table` lines of peers
// sections ("SECTION/NAME"): rules name them, and the section shares
// them.
func peersTables(cfg *config.Config) ([]*stick.Table, error) {
	var out []*stick.Table
	for _, pr := range cfg.Peers {
		for _, tc := range pr.Tables {
			t, err := stick.New(tc, nil)
			if err != nil {
				return nil, fmt.Errorf("peers %q table %q: %w", pr.Name, tc.Name, err)
			}
			out = append(out, t)
		}
	}
	return out, nil
}
