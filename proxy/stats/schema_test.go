package stats

import (
	"encoding/json"
	"testing"
)

// TestJSONSchemaIsJSON checks the schema parses and has HAProxy's three
// alternatives (Info, Stat, Error).
func TestJSONSchemaIsJSON(t *testing.T) {
	var d struct {
		Schema string `json:"$schema"`
		OneOf  []struct {
			Title string `json:"title"`
		} `json:"oneOf"`
	}
	if err := json.Unmarshal([]byte(JSONSchema), &d); err != nil {
		t.Fatal(err)
	}
	if d.Schema == "" || len(d.OneOf) != 3 || d.OneOf[0].Title != "Info" || d.OneOf[1].Title != "Stat" || d.OneOf[2].Title != "Error" {
		t.Errorf("schema %q, alternatives %+v", d.Schema, d.OneOf)
	}
}
