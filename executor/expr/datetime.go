package expr

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakesql/lakesql/sqlerr"
	"github.com/lakesql/lakesql/types"
	"github.com/lakesql/lakesql/types/text"
)

const usPerDay = 86400e6

// bindTemporalArith resolves + and - involving dates, timestamps, times
// and intervals.
func bindTemporalArith(op string, a, b Expr) (Expr, error) {
	at, bt := a.Type(), b.Type()
	ua, ub := IsUnknownLiteral(a), IsUnknownLiteral(b)
	// Type unknown literals by the other side; a literal that does not
	// read as that type is its input error (now() + 'abc').
	var err error
	if ua && !ub {
		switch {
		case op == "*" && bt.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			at = types.Float64
		case bt.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			at = types.Interval
		case op == "-":
			at = bt
		default:
			at = types.Interval
		}
		if a, err = NewCast(a, at); err != nil {
			return nil, err
		}
	}
	if ub && !ua {
		switch {
		case (op == "*" || op == "/") && at.ID() == arrow.INTERVAL_MONTH_DAY_NANO:
			bt = types.Float64
		case op == "-" && at.ID() != arrow.INTERVAL_MONTH_DAY_NANO && isDateLike(b):
			bt = at
		default:
			bt = types.Interval
		}
		if b, err = NewCast(b, bt); err != nil {
			return nil, err
		}
	}
	isInt := func(t arrow.DataType) bool { return types.IsInteger(t) }
	iv := arrow.INTERVAL_MONTH_DAY_NANO
	switch {
	case at.ID() == arrow.DATE32 && isInt(bt) && (op == "+" || op == "-"):
		b, _ = coerce(b, types.Int64)
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Date, fn: dateIntKernel(op == "-")}, nil
	case isInt(at) && bt.ID() == arrow.DATE32 && op == "+":
		a, _ = coerce(a, types.Int64)
		return &Call{Name: op, Args: []Expr{b, a}, Ret: types.Date, fn: dateIntKernel(false)}, nil
	case at.ID() == arrow.DATE32 && bt.ID() == arrow.DATE32 && op == "-":
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Int32, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := int64s(x[0]), int64s(x[1])
			out := make([]int64, n)
			for i := range out {
				out[i] = p[i] - q[i]
			}
			return newIntArray(ec.Mem, types.Int32, out, valid(n, x...)), nil
		}}, nil
	case (at.ID() == arrow.DATE32 || at.ID() == arrow.TIMESTAMP) && bt.ID() == iv && (op == "+" || op == "-"):
		ret := at
		if at.ID() == arrow.DATE32 {
			a, _ = NewCast(a, types.Timestamp)
			ret = types.Timestamp
		}
		return &Call{Name: op, Args: []Expr{a, b}, Ret: ret, fn: tsIntervalKernel(op == "-", ret)}, nil
	case at.ID() == iv && (bt.ID() == arrow.DATE32 || bt.ID() == arrow.TIMESTAMP) && op == "+":
		ret := bt
		if bt.ID() == arrow.DATE32 {
			b, _ = NewCast(b, types.Timestamp)
			ret = types.Timestamp
		}
		return &Call{Name: op, Args: []Expr{b, a}, Ret: ret, fn: tsIntervalKernel(false, ret)}, nil
	case at.ID() == arrow.TIMESTAMP && (bt.ID() == arrow.TIMESTAMP || bt.ID() == arrow.DATE32) && op == "-":
		u, _, err := unify([]Expr{a, b})
		if err != nil {
			return nil, opErr(op, []Expr{a, b})
		}
		return &Call{Name: op, Args: u, Ret: types.Interval, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := int64s(x[0]), int64s(x[1])
			v := valid(n, x...)
			bld := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					bld.AppendNull()
					continue
				}
				d := p[i] - q[i]
				days := d / usPerDay
				bld.Append(arrow.MonthDayNanoInterval{Days: int32(days), Nanoseconds: (d - days*usPerDay) * 1000})
			}
			return bld.NewArray(), nil
		}}, nil
	case at.ID() == arrow.DATE32 && bt.ID() == arrow.TIMESTAMP && op == "-":
		return bindTemporalArith(op, mustCast(a, bt), b)
	case at.ID() == iv && bt.ID() == iv && (op == "+" || op == "-"):
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Interval, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := x[0].(*array.MonthDayNanoInterval), x[1].(*array.MonthDayNanoInterval)
			v := valid(n, x...)
			bld := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
			s := int32(1)
			if op == "-" {
				s = -1
			}
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					bld.AppendNull()
					continue
				}
				l, r := p.Value(i), q.Value(i)
				// Each field must hold its sum (PostgreSQL: 22008).
				months := int64(l.Months) + int64(s)*int64(r.Months)
				days := int64(l.Days) + int64(s)*int64(r.Days)
				rn := int64(s) * r.Nanoseconds
				ns := l.Nanoseconds + rn
				if months != int64(int32(months)) || days != int64(int32(days)) || (ns > l.Nanoseconds) != (rn > 0) && rn != 0 {
					return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
				}
				bld.Append(arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: ns})
			}
			return bld.NewArray(), nil
		}}, nil
	case at.ID() == iv && (types.IsNumeric(bt) || ub) && (op == "*" || op == "/"):
		return bindIntervalScale(op, a, b)
	case types.IsNumeric(at) && bt.ID() == iv && op == "*":
		return bindIntervalScale(op, b, a)
	case at.ID() == arrow.TIME64 && bt.ID() == iv && (op == "+" || op == "-"):
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Time, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p := int64s(x[0])
			q := x[1].(*array.MonthDayNanoInterval)
			out := make([]int64, n)
			for i := range out {
				d := q.Value(i).Nanoseconds / 1000
				if op == "-" {
					d = -d
				}
				out[i] = ((p[i]+d)%usPerDay + usPerDay) % usPerDay
			}
			return newIntArray(ec.Mem, types.Time, out, valid(n, x...)), nil
		}}, nil
	case at.ID() == arrow.TIME64 && bt.ID() == arrow.TIME64 && op == "-":
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Interval, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := int64s(x[0]), int64s(x[1])
			v := valid(n, x...)
			bld := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
			for i := 0; i < n; i++ {
				if !isValid(v, i) {
					bld.AppendNull()
					continue
				}
				bld.Append(arrow.MonthDayNanoInterval{Nanoseconds: (p[i] - q[i]) * 1000})
			}
			return bld.NewArray(), nil
		}}, nil
	case at.ID() == arrow.DATE32 && bt.ID() == arrow.TIME64 && op == "+":
		return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Timestamp, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
			p, q := int64s(x[0]), int64s(x[1])
			out := make([]int64, n)
			for i := range out {
				out[i] = p[i]*usPerDay + q[i]
			}
			return newIntArray(ec.Mem, types.Timestamp, out, valid(n, x...)), nil
		}}, nil
	}
	return nil, opErr(op, []Expr{a, b})
}

func isDateLike(e Expr) bool {
	l, ok := e.(*Literal)
	if !ok {
		return false
	}
	s := l.Value.String()
	return len(s) >= 8 && strings.Count(s, "-") >= 2 && !strings.ContainsAny(s, "ymdhs")
}

func mustCast(e Expr, t arrow.DataType) Expr {
	c, err := NewCast(e, t)
	if err != nil {
		return nil
	}
	return c
}

func dateIntKernel(sub bool) kernel {
	return func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		p, q := int64s(x[0]), int64s(x[1])
		out := make([]int64, n)
		for i := range out {
			if sub {
				out[i] = p[i] - q[i]
			} else {
				out[i] = p[i] + q[i]
			}
		}
		return newIntArray(ec.Mem, types.Date, out, valid(n, x...)), nil
	}
}

// AddInterval adds sign times an interval to a timestamp (microseconds
// since the epoch, wall time), as timestamp + interval does.
func AddInterval(us int64, v arrow.MonthDayNanoInterval, sign int32) int64 {
	return addInterval(us, v, sign)
}

// addInterval adds an interval to microseconds since the epoch (wall time),
// clamping the day of month as PostgreSQL does.
func addInterval(us int64, v arrow.MonthDayNanoInterval, sign int32) int64 {
	if v.Months != 0 {
		t := time.UnixMicro(us).UTC()
		y, m, d := t.Date()
		total := int(m) - 1 + int(sign*v.Months)
		y += floorDivInt(total, 12)
		mm := total - floorDivInt(total, 12)*12 + 1
		if last := time.Date(y, time.Month(mm)+1, 0, 0, 0, 0, 0, time.UTC).Day(); d > last {
			d = last
		}
		tod := us - floorDiv(us, usPerDay)*usPerDay
		us = time.Date(y, time.Month(mm), d, 0, 0, 0, 0, time.UTC).UnixMicro() + tod
	}
	us += int64(sign) * int64(v.Days) * usPerDay
	us += int64(sign) * v.Nanoseconds / 1000
	return us
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func tsIntervalKernel(sub bool, ret arrow.DataType) kernel {
	sign := int32(1)
	if sub {
		sign = -1
	}
	tz := types.IsTimestampTZ(ret)
	return func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		p := int64s(x[0])
		q := x[1].(*array.MonthDayNanoInterval)
		v := valid(n, x...)
		out := make([]int64, n)
		for i := range out {
			if !isValid(v, i) {
				continue
			}
			us := p[i]
			if tz {
				us = localToUTC(addInterval(utcToLocal(us, ec.loc()), q.Value(i), sign), ec.loc())
			} else {
				us = addInterval(us, q.Value(i), sign)
			}
			out[i] = us
		}
		return newIntArray(ec.Mem, ret, out, v), nil
	}
}

func bindIntervalScale(op string, a, b Expr) (Expr, error) {
	b, err := coerce(b, types.Float64)
	if err != nil {
		return nil, err
	}
	return &Call{Name: op, Args: []Expr{a, b}, Ret: types.Interval, fn: func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		p := x[0].(*array.MonthDayNanoInterval)
		f := float64s(x[1])
		v := valid(n, x...)
		bld := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				bld.AppendNull()
				continue
			}
			k := f[i]
			if op == "/" {
				if k == 0 {
					return nil, errDivZero
				}
				k = 1 / k
			}
			iv := p.Value(i)
			fm := float64(iv.Months) * k
			wm := math.Trunc(fm)
			fd := float64(iv.Days)*k + (fm-wm)*30
			wd := math.Trunc(fd)
			us := float64(iv.Nanoseconds/1000)*k + (fd-wd)*usPerDay
			if math.IsNaN(fm+fd+us) || math.Abs(wm) > math.MaxInt32 || math.Abs(wd) > math.MaxInt32 || math.Abs(us) > math.MaxInt64/1000 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
			}
			bld.Append(arrow.MonthDayNanoInterval{Months: int32(wm), Days: int32(wd), Nanoseconds: int64(math.Round(us)) * 1000})
		}
		return bld.NewArray(), nil
	}}, nil
}

func registerDatetime(r *Registry) {
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		return &Call{Name: name, Ret: types.Date, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			now := ec.Now.In(ec.loc())
			d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Sub(text.Epoch).Hours() / 24
			out := make([]int64, n)
			for i := range out {
				out[i] = int64(math.Round(d))
			}
			return newIntArray(ec.Mem, types.Date, out, nil), nil
		}}, nil
	}, "current_date")
	r.add(func(name string, args []Expr) (Expr, error) {
		if len(args) != 0 {
			return nil, funcErr(name, args)
		}
		ret := types.TimestampTZ
		if name == "localtimestamp" {
			ret = types.Timestamp
		}
		return &Call{Name: name, Ret: ret, fn: func(ec *Context, _ []arrow.Array, n int) (arrow.Array, error) {
			us := ec.Now.UnixMicro()
			if name == "localtimestamp" {
				us = utcToLocal(us, ec.loc())
			}
			out := make([]int64, n)
			for i := range out {
				out[i] = us
			}
			return newIntArray(ec.Mem, ret, out, nil), nil
		}}, nil
	}, "now", "localtimestamp", "current_timestamp", "transaction_timestamp", "statement_timestamp", "clock_timestamp")
	r.add(bindDatePart, "date_part", "extract")
	r.add(bindDateTrunc, "date_trunc")
	r.add(bindAge, "age")
	r.add(fixed(types.Date, func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		y, m, d := int64s(x[0]), int64s(x[1]), int64s(x[2])
		v := valid(n, x...)
		out := make([]int64, n)
		for i := range out {
			if !isValid(v, i) {
				continue
			}
			// Year -n is n BC, astronomical year 1-n; there is no year 0.
			year := y[i]
			if year < 0 {
				year++
			}
			if y[i] == 0 || m[i] < 1 || m[i] > 12 || d[i] < 1 || d[i] > 31 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y[i], m[i], d[i])
			}
			if year < -4712 || year > 5874897 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: %d-%02d-%02d", y[i], m[i], d[i])
			}
			// The day must exist in its month: the year's place in the
			// 400-year cycle decides February 29.
			t := time.Date(int(year%400+400), time.Month(m[i]), int(d[i]), 0, 0, 0, 0, time.UTC)
			if t.Month() != time.Month(m[i]) || t.Day() != int(d[i]) {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", y[i], m[i], d[i])
			}
			out[i] = int64(text.DaysFromCivil(int(year), int(m[i]), int(d[i])))
		}
		return newIntArray(ec.Mem, types.Date, out, v), nil
	}, types.Int64, types.Int64, types.Int64), "make_date")
}

// bindDatePart: date_part('field', x) / EXTRACT(field FROM x). EXTRACT
// returns numeric in PostgreSQL 14+; date_part returns double precision.
func bindDatePart(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, funcErr(name, args)
	}
	l, ok := args[0].(*Literal)
	if ok && !l.Value.IsValid() {
		// A NULL field name: a NULL result.
		if name == "date_part" {
			return NewNullLiteral(types.Float64), nil
		}
		return NewNullLiteral(types.Decimal(types.MaxDecimalPrecision, 6)), nil
	}
	if !ok {
		return bindDatePartPerRow(name, args)
	}
	field := strings.ToLower(strings.Trim(l.Value.String(), "'\""))
	x := args[1]
	if IsUnknownLiteral(x) {
		x = mustCast(x, types.Timestamp)
	}
	t := x.Type()
	if !types.IsTemporal(t) {
		return nil, funcErr(name, args)
	}
	ret := types.Decimal(types.MaxDecimalPrecision, 6)
	if field == "epoch" || field == "second" || field == "seconds" || field == "julian" {
		ret = types.Decimal(types.MaxDecimalPrecision, 6)
	} else {
		ret = types.Decimal(types.MaxDecimalPrecision, 0)
	}
	if name == "date_part" {
		ret = types.Float64
	}
	if err := checkField(field, t); err != nil {
		return nil, err
	}
	return &Call{Name: name, Args: []Expr{x}, Ret: ret, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		v := valid(n, a[0])
		out := make([]float64, n)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				continue
			}
			f, err := extractField(ec, field, a[0], i)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		arr := newFloatArray(ec.Mem, types.Float64, out, v)
		if types.IsDecimal(ret) {
			return castArray(ec, arr, ret)
		}
		return arr, nil
	}}, nil
}

// bindDatePartPerRow binds date_part(field, x) with a field name that
// varies by row (a column): the result is double precision.
func bindDatePartPerRow(name string, args []Expr) (Expr, error) {
	f, err := coerce(args[0], types.String)
	if err != nil || !types.IsString(f.Type()) {
		return nil, funcErr(name, args)
	}
	x := args[1]
	if IsUnknownLiteral(x) {
		if x, err = NewCast(x, types.Timestamp); err != nil {
			return nil, err
		}
	}
	if x.Type().ID() == arrow.NULL {
		x = NewNullLiteral(types.Timestamp)
	}
	if !types.IsTemporal(x.Type()) {
		return nil, funcErr(name, args)
	}
	t := x.Type()
	return &Call{Name: name, Args: []Expr{f, x}, Ret: types.Float64, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		v := valid(n, a[0], a[1])
		names := a[0].(*array.String)
		out := make([]float64, n)
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				continue
			}
			field := strings.ToLower(names.Value(i))
			if err := checkField(field, t); err != nil {
				return nil, err
			}
			r, err := extractField(ec, field, a[1], i)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return newFloatArray(ec.Mem, types.Float64, out, v), nil
	}}, nil
}

func checkField(field string, t arrow.DataType) error {
	switch field {
	case "year", "years", "month", "months", "day", "days", "hour", "hours", "minute", "minutes", "second", "seconds",
		"dow", "isodow", "doy", "week", "quarter", "epoch", "decade", "century", "millennium", "milliseconds",
		"microseconds", "isoyear", "julian", "timezone", "timezone_hour", "timezone_minute":
		return nil
	}
	return sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", field, types.Name(t))
}

// extractField computes one field of value i.
func extractField(ec *Context, field string, a arrow.Array, i int) (float64, error) {
	if iv, ok := a.(*array.MonthDayNanoInterval); ok {
		v := iv.Value(i)
		us := v.Nanoseconds / 1000
		switch field {
		case "year", "years":
			return float64(v.Months / 12), nil
		case "month", "months":
			return float64(v.Months % 12), nil
		case "day", "days":
			return float64(v.Days), nil
		case "hour", "hours":
			return float64(us / 3600e6), nil
		case "minute", "minutes":
			return float64(us % 3600e6 / 60e6), nil
		case "second", "seconds":
			return float64(us%60e6) / 1e6, nil
		case "milliseconds":
			return float64(us%60e6) / 1e3, nil
		case "microseconds":
			return float64(us % 60e6), nil
		case "epoch":
			// Whole years as 365.25 days, the other months as 30, as
			// PostgreSQL's interval_part does.
			return float64(v.Months/12)*365.25*86400 + float64(v.Months%12)*30*86400 + float64(v.Days)*86400 + float64(us)/1e6, nil
		case "quarter":
			return float64(v.Months%12/3 + 1), nil
		case "decade":
			return float64(v.Months / 120), nil
		case "century":
			return float64(v.Months / 1200), nil
		case "millennium":
			return float64(v.Months / 12000), nil
		}
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not supported for type interval", field)
	}
	var us int64
	isDate := false
	switch x := a.(type) {
	case *array.Date32:
		us = int64(x.Value(i)) * usPerDay
		isDate = true
	case *array.Timestamp:
		us = int64(x.Value(i))
		if types.IsTimestampTZ(x.DataType()) {
			if field == "epoch" {
				return float64(us) / 1e6, nil
			}
			us = utcToLocal(us, ec.loc())
		}
	case *array.Time64:
		us = int64(x.Value(i))
		switch field {
		case "hour", "hours":
			return float64(us / 3600e6), nil
		case "minute", "minutes":
			return float64(us % 3600e6 / 60e6), nil
		case "second", "seconds":
			return float64(us%60e6) / 1e6, nil
		case "milliseconds":
			return float64(us%60e6) / 1e3, nil
		case "microseconds":
			return float64(us % 60e6), nil
		case "epoch":
			return float64(us) / 1e6, nil
		}
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not supported for type time without time zone", field)
	}
	t := time.UnixMicro(us).UTC()
	tod := us - floorDiv(us, usPerDay)*usPerDay
	y := t.Year()
	if isDate {
		switch field {
		case "hour", "hours", "minute", "minutes", "second", "seconds", "milliseconds", "microseconds":
			return 0, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type date", field)
		}
	}
	switch field {
	case "year", "years":
		if y <= 0 {
			return float64(y - 1), nil
		}
		return float64(y), nil
	case "month", "months":
		return float64(t.Month()), nil
	case "day", "days":
		return float64(t.Day()), nil
	case "hour", "hours":
		return float64(tod / 3600e6), nil
	case "minute", "minutes":
		return float64(tod % 3600e6 / 60e6), nil
	case "second", "seconds":
		return float64(tod%60e6) / 1e6, nil
	case "milliseconds":
		return float64(tod%60e6) / 1e3, nil
	case "microseconds":
		return float64(tod % 60e6), nil
	case "dow":
		return float64(t.Weekday()), nil
	case "isodow":
		d := int(t.Weekday())
		if d == 0 {
			d = 7
		}
		return float64(d), nil
	case "doy":
		return float64(t.YearDay()), nil
	case "week":
		_, w := t.ISOWeek()
		return float64(w), nil
	case "isoyear":
		yy, _ := t.ISOWeek()
		return float64(yy), nil
	case "quarter":
		return float64((int(t.Month())-1)/3 + 1), nil
	case "epoch":
		return float64(us) / 1e6, nil
	case "decade":
		return float64(floorDivInt(y, 10)), nil
	case "century":
		if y > 0 {
			return float64((y + 99) / 100), nil
		}
		return float64(-((99 - y) / 100)), nil
	case "millennium":
		if y > 0 {
			return float64((y + 999) / 1000), nil
		}
		return float64(-((999 - y) / 1000)), nil
	case "julian":
		return float64(floorDiv(us, usPerDay)+2440588) + float64(tod)/usPerDay, nil
	case "timezone", "timezone_hour", "timezone_minute":
		return 0, nil
	}
	return 0, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized", field)
}

// bindDateTrunc: date_trunc('unit', timestamp|date|interval).
func bindDateTrunc(name string, args []Expr) (Expr, error) {
	if len(args) != 2 {
		return nil, funcErr(name, args)
	}
	l, ok := args[0].(*Literal)
	if !ok || !l.Value.IsValid() {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "date_trunc needs a constant unit")
	}
	unit := strings.ToLower(l.Value.String())
	x := args[1]
	if IsUnknownLiteral(x) {
		x = mustCast(x, types.Timestamp)
	}
	if x.Type().ID() == arrow.DATE32 {
		x = mustCast(x, types.TimestampTZ)
	}
	if x.Type().ID() == arrow.INTERVAL_MONTH_DAY_NANO {
		return bindIntervalTrunc(name, unit, x)
	}
	if x.Type().ID() != arrow.TIMESTAMP {
		return nil, funcErr(name, args)
	}
	ret := x.Type()
	switch unit {
	case "microseconds", "milliseconds", "second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "century", "millennium":
	default:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", unit, types.Name(ret))
	}
	return &Call{Name: name, Args: []Expr{x}, Ret: ret, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		p := int64s(a[0])
		v := valid(n, a[0])
		out := make([]int64, n)
		tz := types.IsTimestampTZ(ret)
		for i := range out {
			if !isValid(v, i) {
				continue
			}
			us := p[i]
			if tz {
				us = utcToLocal(us, ec.loc())
			}
			us = truncTo(us, unit)
			if tz {
				us = localToUTC(us, ec.loc())
			}
			out[i] = us
		}
		return newIntArray(ec.Mem, ret, out, v), nil
	}}, nil
}

func truncTo(us int64, unit string) int64 {
	t := time.UnixMicro(us).UTC()
	y, m, d := t.Date()
	switch unit {
	case "microseconds":
		return us
	case "milliseconds":
		return floorDiv(us, 1000) * 1000
	case "second":
		return floorDiv(us, 1e6) * 1e6
	case "minute":
		return floorDiv(us, 60e6) * 60e6
	case "hour":
		return floorDiv(us, 3600e6) * 3600e6
	case "day":
		return floorDiv(us, usPerDay) * usPerDay
	case "week":
		wd := (int(t.Weekday()) + 6) % 7
		return time.Date(y, m, d-wd, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "quarter":
		return time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "decade":
		return time.Date(floorDivInt(y, 10)*10, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "century":
		return time.Date(floorDivInt(y-1, 100)*100+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	case "millennium":
		return time.Date(floorDivInt(y-1, 1000)*1000+1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	}
	return us
}

// bindAge: age(a, b) = a - b as years/months/days; age(a) = age(current_date, a).
func bindAge(name string, args []Expr) (Expr, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, funcErr(name, args)
	}
	var xs []Expr
	for _, a := range args {
		c, err := coerce(a, types.Timestamp)
		if err != nil {
			return nil, err
		}
		xs = append(xs, c)
	}
	return &Call{Name: name, Args: xs, Ret: types.Interval, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		p := int64s(a[0])
		var q []int64
		if len(a) == 2 {
			q = int64s(a[1])
		}
		v := valid(n, a...)
		bld := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
		now := ec.Now.In(ec.loc())
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).UnixMicro()
		for i := 0; i < n; i++ {
			if !isValid(v, i) {
				bld.AppendNull()
				continue
			}
			x, y := p[i], int64(0)
			if q != nil {
				y = q[i]
			} else {
				x, y = today, p[i]
			}
			bld.Append(ageOf(x, y))
		}
		return bld.NewArray(), nil
	}}, nil
}

// ageOf is PostgreSQL's symbolic difference x - y.
func ageOf(x, y int64) arrow.MonthDayNanoInterval {
	neg := x < y
	if neg {
		x, y = y, x
	}
	tx, ty := time.UnixMicro(x).UTC(), time.UnixMicro(y).UTC()
	months := (tx.Year()-ty.Year())*12 + int(tx.Month()) - int(ty.Month())
	days := tx.Day() - ty.Day()
	todx := x - floorDiv(x, usPerDay)*usPerDay
	tody := y - floorDiv(y, usPerDay)*usPerDay
	us := todx - tody
	if us < 0 {
		us += usPerDay
		days--
	}
	if days < 0 {
		months--
		// days in the month before tx
		days += time.Date(tx.Year(), tx.Month(), 0, 0, 0, 0, 0, time.UTC).Day()
	}
	r := arrow.MonthDayNanoInterval{Months: int32(months), Days: int32(days), Nanoseconds: us * 1000}
	if neg {
		r = arrow.MonthDayNanoInterval{Months: -r.Months, Days: -r.Days, Nanoseconds: -r.Nanoseconds}
	}
	return r
}

// to_timestamp(seconds since the epoch): a timestamp with time zone
// (Grafana and users turn Unix times into timestamps so).
func registerToTimestamp(r *Registry) {
	r.add(fixed(types.TimestampTZ, func(ec *Context, x []arrow.Array, n int) (arrow.Array, error) {
		secs := float64s(x[0])
		v := valid(n, x[0])
		out := make([]int64, n)
		for i := range out {
			if !isValid(v, i) {
				continue
			}
			us := math.Round(secs[i] * 1e6)
			if math.IsNaN(us) || math.IsInf(us, 0) || math.Abs(us) > 9.2e18 {
				return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%g\"", secs[i])
			}
			out[i] = int64(us)
		}
		return newIntArray(ec.Mem, types.TimestampTZ, out, v), nil
	}, types.Float64), "to_timestamp")
}

// bindIntervalTrunc binds date_trunc(unit, interval) as PostgreSQL's
// interval_trunc: the fields below unit become zero (years and months from
// the months, days, hours... from the time), each truncated toward zero;
// week is not a unit of intervals (0A000).
func bindIntervalTrunc(name, unit string, x Expr) (Expr, error) {
	const usPerHour, usPerMinute, usPerSecond = 3600_000_000, 60_000_000, 1_000_000
	var f func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval
	timeTo := func(step int64) func(arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
		return func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
			us := iv.Nanoseconds / 1000
			iv.Nanoseconds = us / step * step * 1000
			return iv
		}
	}
	monthsTo := func(step int32) func(arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
		return func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
			return arrow.MonthDayNanoInterval{Months: iv.Months / step * step}
		}
	}
	switch unit {
	case "microseconds":
		f = timeTo(1)
	case "milliseconds":
		f = timeTo(1000)
	case "second":
		f = timeTo(usPerSecond)
	case "minute":
		f = timeTo(usPerMinute)
	case "hour":
		f = timeTo(usPerHour)
	case "day":
		f = func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
			return arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days}
		}
	case "month":
		f = monthsTo(1)
	case "quarter":
		// PostgreSQL keeps the years and truncates the months within them.
		f = func(iv arrow.MonthDayNanoInterval) arrow.MonthDayNanoInterval {
			y, m := iv.Months/12, iv.Months%12
			return arrow.MonthDayNanoInterval{Months: y*12 + m/3*3}
		}
	case "year":
		f = monthsTo(12)
	case "decade":
		f = monthsTo(120)
	case "century":
		f = monthsTo(1200)
	case "millennium":
		f = monthsTo(12000)
	case "week":
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"week\" not supported for type interval")
	default:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type interval", unit)
	}
	return &Call{Name: name, Args: []Expr{x}, Ret: types.Interval, fn: func(ec *Context, a []arrow.Array, n int) (arrow.Array, error) {
		src := a[0].(*array.MonthDayNanoInterval)
		b := array.NewMonthDayNanoIntervalBuilder(ec.Mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			if src.IsNull(i) {
				b.AppendNull()
				continue
			}
			b.Append(f(src.Value(i)))
		}
		return b.NewArray(), nil
	}}, nil
}
