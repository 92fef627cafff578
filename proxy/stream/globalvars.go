package stream

import (
	"fmt"

	"github.com/goha/goha/proxy/sample"
)

// setGlobalVars runs the global section's set-var and set-var-fmt lines,
// in order, into the generation's proc variables, as HAProxy does once
// the configuration is parsed. Their expressions need no stream.
func (rt *Process) setGlobalVars() error {
	o := &sample.Options{Maps: rt.cfg.MapFiles, Refs: rt.maps}
	x := &sample.Ctx{ProcVars: rt.pvars}
	for _, sv := range rt.cfg.Global.SetVars {
		ref, err := sample.ParseVarName(sv.Name)
		if err != nil {
			return fmt.Errorf("[%s:%d] global %s: %w", sv.File, sv.Line, sv.Name, err)
		}
		if sv.Fmt {
			f, err := sample.CompileFormat(sv.Value, o)
			if err != nil {
				return fmt.Errorf("[%s:%d] global set-var-fmt %s: %w", sv.File, sv.Line, sv.Name, err)
			}
			x.SetVarFmt(&ref, f)
			continue
		}
		e, err := sample.CompileExpr(sv.Value, o)
		if err != nil {
			return fmt.Errorf("[%s:%d] global set-var %s: %w", sv.File, sv.Line, sv.Name, err)
		}
		x.SetVar(&ref, e)
	}
	return nil
}
