package exec

import (
	"reflect"
	"testing"
	"time"
)

// TestLimitsWithDefaults: zero and negative fields take the defaults, every
// field set is kept — checked field by field, so a new limit is covered.
func TestLimitsWithDefaults(t *testing.T) {
	if got := (Limits{}).withDefaults(); !reflect.DeepEqual(got, DefaultLimits) {
		t.Fatalf("zero limits: %+v, want the defaults %+v", got, DefaultLimits)
	}
	neg := Limits{MaxClockSkew: -time.Second, DiskMarginMB: -1, ReconnectTries: -3, DiskMounts: []string{}}
	if got := neg.withDefaults(); !reflect.DeepEqual(got, DefaultLimits) {
		t.Fatalf("negative limits: %+v, want the defaults", got)
	}
	var set Limits
	v := reflect.ValueOf(&set).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(reflect.ValueOf(DefaultLimits).Field(i).Int() + 7)
		case reflect.Slice:
			f.Set(reflect.ValueOf([]string{"/srv"}))
		default:
			t.Fatalf("Limits.%s: a kind this test does not set", v.Type().Field(i).Name)
		}
	}
	got := reflect.ValueOf(set.withDefaults())
	for i := range v.NumField() {
		if !reflect.DeepEqual(got.Field(i).Interface(), v.Field(i).Interface()) {
			t.Errorf("Limits.%s set to %v came back as %v", v.Type().Field(i).Name, v.Field(i), got.Field(i))
		}
	}
}
