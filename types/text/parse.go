package text

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/lakesql/lakesql/sqlerr"
)

func invalid(typ, s string) *sqlerr.Error {
	code := sqlerr.InvalidTextRepresentation
	switch typ {
	case "date", "time", "timestamp", "interval":
		code = sqlerr.InvalidDatetimeFormat // as PostgreSQL's datetime input
	}
	return sqlerr.New(code, "invalid input syntax for type %s: \"%s\"", typ, s)
}

// ParseBool reads PostgreSQL's boolean spellings.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "on", "1", "tr", "tru", "ye":
		return true, nil
	case "f", "false", "n", "no", "off", "0", "fa", "fal", "fals", "of":
		return false, nil
	}
	return false, invalid("boolean", s)
}

// ParseInt reads an integer that must fit in bits (16, 32, 64).
func ParseInt(s string, bits int) (int64, error) {
	typ := map[int]string{16: "smallint", 32: "integer", 64: "bigint"}[bits]
	t := strings.TrimSpace(s)
	t = strings.ReplaceAll(t, "_", "")
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typ)
		}
		return 0, invalid(typ, s)
	}
	if bits < 64 {
		lim := int64(1) << (bits - 1)
		if v < -lim || v >= lim {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, typ)
		}
	}
	return v, nil
}

// ParseFloat reads a float (also NaN, Infinity, inf).
func ParseFloat(s string, bits int) (float64, error) {
	typ := "double precision"
	if bits == 32 {
		typ = "real"
	}
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "nan":
		return math.NaN(), nil
	case "infinity", "inf", "+infinity", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(t, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", s, typ)
		}
		return 0, invalid(typ, s)
	}
	return v, nil
}

// ParseDecimal reads a number into a decimal of the given precision and
// scale, rounding half away from zero.
func ParseDecimal(s string, precision, scale int32) (decimal128.Num, error) {
	t := strings.TrimSpace(s)
	r, ok := new(big.Rat).SetString(t)
	if !ok || strings.ContainsAny(t, "/") || t == "" {
		return decimal128.Num{}, invalid("numeric", s)
	}
	return RatToDecimal(r, precision, scale)
}

// RatToDecimal rounds r half away from zero to scale digits.
func RatToDecimal(r *big.Rat, precision, scale int32) (decimal128.Num, error) {
	m := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)))
	num, den := m.Num(), m.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	// round half away from zero
	rem2 := new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2))
	if rem2.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	lim := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	if new(big.Int).Abs(q).Cmp(lim) >= 0 {
		return decimal128.Num{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
	}
	return decimal128.FromBigInt(q), nil
}

// ParseDate reads a date: YYYY-MM-DD (optionally followed by a time,
// ignored), with BC, or infinity-free forms. It returns days since 1970-01-01.
func ParseDate(s string) (int32, error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "infinity", "+infinity":
		return DateInfinity, nil
	case "-infinity":
		return DateNegInfinity, nil
	}
	bc := false
	if u := strings.ToUpper(t); strings.HasSuffix(u, " BC") {
		bc = true
		t = strings.TrimSpace(t[:len(t)-3])
	}
	if i := strings.IndexAny(t, " T"); i > 0 {
		t = t[:i]
	}
	parts := strings.Split(t, "-")
	if len(parts) != 3 {
		// YYYYMMDD
		if len(t) == 8 {
			parts = []string{t[:4], t[4:6], t[6:]}
		} else {
			return 0, invalid("date", s)
		}
	}
	y, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	d, e3 := strconv.Atoi(parts[2])
	if e1 != nil || e2 != nil || e3 != nil {
		return 0, invalid("date", s)
	}
	if bc {
		y = 1 - y
	}
	if y < -4712 || y > 5874897 {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	return DaysFromCivil(y, m, d), nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// ParseTime reads HH:MM[:SS[.ffffff]] into microseconds since midnight.
func ParseTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	parts := strings.Split(t, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, invalid("time", s)
	}
	h, e1 := strconv.Atoi(parts[0])
	m, e2 := strconv.Atoi(parts[1])
	if e1 != nil || e2 != nil {
		return 0, invalid("time", s)
	}
	var us int64
	if len(parts) == 3 {
		sec, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return 0, invalid("time", s)
		}
		us = int64(math.Round(sec * 1e6))
	}
	if h < 0 || h > 24 || m < 0 || m > 59 || us < 0 || us > 60e6 {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	return int64(h)*3600e6 + int64(m)*60e6 + us, nil
}

// ParseTimestamp reads 'YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH[:MM]]' or a
// date alone. A zone offset converts the value to UTC; hasZone reports it.
// It returns microseconds since the epoch in loc's wall time for values
// without a zone when loc is set (timestamptz input), else as written.
func ParseTimestamp(s string, loc *time.Location) (us int64, err error) {
	t := strings.TrimSpace(s)
	switch strings.ToLower(t) {
	case "infinity", "+infinity":
		return math.MaxInt64, nil
	case "-infinity":
		return math.MinInt64, nil
	case "epoch":
		return 0, nil
	}
	bc := false
	if u := strings.ToUpper(t); strings.HasSuffix(u, " BC") {
		bc = true
		t = strings.TrimSpace(t[:len(t)-3])
	}
	datePart, timePart := t, ""
	if i := strings.IndexAny(t, " T"); i > 0 {
		datePart, timePart = t[:i], strings.TrimSpace(t[i+1:])
	}
	if bc {
		datePart += " BC"
	}
	days, err := ParseDate(datePart)
	if err != nil {
		return 0, invalid("timestamp", s)
	}
	var tod int64
	var off *int
	if timePart != "" {
		// Zone suffix.
		zi := strings.IndexAny(timePart, "+-Z")
		zone := ""
		if zi > 0 {
			zone = timePart[zi:]
			timePart = strings.TrimSpace(timePart[:zi])
		} else if i := strings.IndexByte(timePart, ' '); i > 0 {
			zone = strings.TrimSpace(timePart[i+1:])
			timePart = timePart[:i]
		}
		if tod, err = ParseTime(timePart); err != nil {
			return 0, invalid("timestamp", s)
		}
		if zone != "" {
			o, err := parseZone(zone)
			if err != nil {
				return 0, invalid("timestamp", s)
			}
			off = &o
		}
	}
	local := int64(days)*86400e6 + tod
	if off != nil {
		return local - int64(*off)*1e6, nil
	}
	if loc != nil && loc != time.UTC {
		// Interpret as wall time in loc.
		wt := time.UnixMicro(local).UTC()
		lt := time.Date(wt.Year(), wt.Month(), wt.Day(), wt.Hour(), wt.Minute(), wt.Second(), wt.Nanosecond(), loc)
		return lt.UnixMicro(), nil
	}
	return local, nil
}

// parseZone reads Z, UTC, +HH, +HH:MM, +HHMM into seconds east of UTC.
func parseZone(z string) (int, error) {
	switch strings.ToUpper(z) {
	case "Z", "UTC", "GMT":
		return 0, nil
	}
	if z[0] != '+' && z[0] != '-' {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return 0, err
		}
		_, off := time.Now().In(loc).Zone()
		return off, nil
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	z = strings.ReplaceAll(z[1:], ":", "")
	var h, m int
	var err error
	switch len(z) {
	case 1, 2:
		h, err = strconv.Atoi(z)
	case 4:
		h, err = strconv.Atoi(z[:2])
		if err == nil {
			m, err = strconv.Atoi(z[2:])
		}
	default:
		return 0, invalid("timestamp", z)
	}
	return sign * (h*3600 + m*60), err
}

// ParseInterval reads PostgreSQL interval input: '1 day', '3 months',
// '1 year 2 mons', '-1 day', '01:02:03', '1 day 02:00:00', '1 week', '2 hours 30 minutes'.
func ParseInterval(s string) (months, days int32, us int64, err error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(t, "@") {
		t = strings.TrimSpace(t[1:])
	}
	ago := false
	if strings.HasSuffix(t, " ago") {
		ago = true
		t = strings.TrimSuffix(t, " ago")
	}
	fields := splitIntervalFields(strings.Fields(t))
	if len(fields) == 0 {
		return 0, 0, 0, invalid("interval", s)
	}
	var fm float64
	var fd float64
	var fus float64
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Contains(f, ":") {
			// [-]H:MM[:SS[.ffffff]], hours unbounded (35:10:00).
			neg := strings.HasPrefix(f, "-")
			parts := strings.Split(strings.TrimLeft(f, "+-"), ":")
			if len(parts) > 3 {
				return 0, 0, 0, invalid("interval", s)
			}
			var tod float64
			for k, p := range parts {
				v, err := strconv.ParseFloat(p, 64)
				if err != nil || v < 0 || (k > 0 && v >= 60) || (k < len(parts)-1 && strings.Contains(p, ".")) {
					return 0, 0, 0, invalid("interval", s)
				}
				tod += v * []float64{3600e6, 60e6, 1e6}[k]
			}
			if neg {
				tod = -tod
			}
			fus += tod
			continue
		}
		num, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, 0, 0, invalid("interval", s)
		}
		unit := "second"
		if i+1 < len(fields) {
			unit = fields[i+1]
			i++
		}
		// Fractions of year-based units become whole months (the rest is
		// dropped, as PostgreSQL does); fractions of months cascade.
		yearish := func(months float64) { fm += math.Trunc(num * months) }
		switch unit {
		case "ms", "msec", "msecs", "mss":
			fus += num * 1e3
			continue
		case "us", "usec", "usecs":
			fus += num
			continue
		}
		switch strings.TrimSuffix(unit, "s") {
		case "year", "yr", "y":
			yearish(12)
		case "mon", "month", "mo":
			fm += num
		case "week", "w":
			fd += num * 7
		case "day", "d":
			fd += num
		case "hour", "hr", "h":
			fus += num * 3600e6
		case "minute", "min", "m":
			fus += num * 60e6
		case "second", "sec", "":
			fus += num * 1e6
		case "millisecond":
			fus += num * 1e3
		case "microsecond", "u":
			fus += num
		case "decade":
			yearish(120)
		case "century", "centurie":
			yearish(1200)
		case "millennium", "millennia":
			yearish(12000)
		default:
			if unit == "ms" || unit == "msec" || unit == "msecs" {
				fus += num * 1e3
				continue
			}
			if unit == "us" || unit == "usec" || unit == "usecs" {
				fus += num
				continue
			}
			return 0, 0, 0, invalid("interval", s)
		}
	}
	if math.Abs(fm) > math.MaxInt32 || math.Abs(fd) > math.MaxInt32 || math.Abs(fus) > 9.2e18 {
		return 0, 0, 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval field value out of range: \"%s\"", s)
	}
	// Fractions cascade down as PostgreSQL does: months -> days (30), days -> time.
	wm := math.Trunc(fm)
	fd += (fm - wm) * 30
	wd := math.Trunc(fd)
	fus += (fd - wd) * 86400e6
	months, days, us = int32(wm), int32(wd), int64(math.Round(fus))
	if ago {
		months, days, us = -months, -days, -us
	}
	return months, days, us, nil
}

// splitIntervalFields separates numbers written against their unit
// ('2y', '20ms', '16us') into two fields.
func splitIntervalFields(fields []string) []string {
	var out []string
	for _, f := range fields {
		j := 0
		if j < len(f) && (f[j] == '-' || f[j] == '+') {
			j++
		}
		digits := j
		for j < len(f) && (f[j] >= '0' && f[j] <= '9' || f[j] == '.') {
			j++
		}
		if j > digits && j < len(f) && f[j] >= 'a' && f[j] <= 'z' {
			out = append(out, f[:j], f[j:])
			continue
		}
		out = append(out, f)
	}
	return out
}

// DaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (year 0 is 1 BC), for any year a date32 can hold.
func DaysFromCivil(y, m, d int) int32 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468)
}
