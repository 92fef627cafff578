package metrics

import "github.com/goha/goha/proxy/metrics/promtext"

// family is one metric family as the validator reads it.
type family = promtext.Family

// validate is promtext.Validate.
func validate(text string) ([]family, error) { return promtext.Validate(text) }
