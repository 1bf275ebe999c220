package facts

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestFromReadsEveryForm: a facts event carries Facts when the executor
// emits it and generic JSON when a journal is read back; both read the same.
func TestFromReadsEveryForm(t *testing.T) {
	f := Facts{Release: "10.2.0.1", SSP: 3, ServiceState: StateAccepting, ActiveCalls: 2,
		Services: map[string]string{"asset": "up"}, DiskFreeMB: map[string]int64{"/var": 2048},
		Clock: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), Users: 40}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{f, &f, generic} {
		if got := From(v); got == nil || !reflect.DeepEqual(*got, f) {
			t.Errorf("From(%T) = %+v, want %+v", v, got, f)
		}
	}
	if From(nil) != nil || From("not facts") != nil {
		t.Error("From of nil or a string should be nil")
	}
}
