package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/runbook-dev/runbook/engine/manifest"
)

// sizeFlag is a byte count given as a number with an optional binary unit:
// 65536, 64KiB, 32MiB, 1GiB (K, M and G mean the same).
type sizeFlag int64

func (s *sizeFlag) String() string {
	if *s <= 0 {
		return ""
	}
	return strings.ReplaceAll(manifest.FormatSize(int64(*s)), " ", "")
}

func (s *sizeFlag) Set(v string) error {
	num := strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"GiB", "G"}, 1 << 30}, {[]string{"MiB", "M"}, 1 << 20}, {[]string{"KiB", "K"}, 1 << 10}, {[]string{"B"}, 1},
	} {
		found := false
		for _, suf := range u.suffixes {
			if strings.HasSuffix(num, suf) {
				num, mult, found = strings.TrimSpace(strings.TrimSuffix(num, suf)), u.mult, true
				break
			}
		}
		if found {
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size: write a whole number of bytes, optionally with KiB, MiB or GiB (for example 64MiB)", v)
	}
	*s = sizeFlag(n * mult)
	return nil
}
