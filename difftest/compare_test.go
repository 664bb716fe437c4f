package difftest

import "testing"

func TestCanonNumbers(t *testing.T) {
	s := func(v string) *string { return &v }
	same := [][2]string{
		{"0.0000000999999997", "0.000000099999999686000001"}, // quotient scales
		{"0.3333333333333333", "0.33333333333333333333"},
		{"2.250", "2.25"},
		{"1e-12", "0"},
		{"-0.0000000010000000", "-0.0000000009999999977510000051"}, // at the noise threshold
	}
	for _, c := range same {
		if a, b := canon(s(c[0]), kNumber), canon(s(c[1]), kNumber); a != b {
			t.Errorf("%s and %s: %s != %s", c[0], c[1], a, b)
		}
	}
	for _, c := range [][2]string{{"0.0", "0"}, {"1.500", "1.5"}, {"-2.250", "-2.25"}, {"0.7163323782234957", "0.71633237822349570201"}} {
		if a, b := canon(s(c[0]), kText), canon(s(c[1]), kText); a != b {
			t.Errorf("text %s and %s: %s != %s", c[0], c[1], a, b)
		}
	}
	for _, c := range [][2]string{{"10", "1"}, {"1.05", "1.5"}, {"100", "100.0x"}} {
		if a, b := canon(s(c[0]), kText), canon(s(c[1]), kText); a == b {
			t.Errorf("text %s and %s compare equal (%s)", c[0], c[1], a)
		}
	}
	differ := [][2]string{
		{"0.0000000999999997", "0.0000000999999996"},
		{"1.5", "2"},
		{"123456789.1", "123456789.2"},
		{"0.000001234567891", "0.000001234567892"},
	}
	for _, c := range differ {
		if a, b := canon(s(c[0]), kNumber), canon(s(c[1]), kNumber); a == b {
			t.Errorf("%s and %s compare equal (%s)", c[0], c[1], a)
		}
	}
}
