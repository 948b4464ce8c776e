package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Load is how every command reads the configuration: it registers a flag
// for every key (secrets excepted) and --config on fs, parses args and
// resolves each key: flag > environment (WEIQUAN_*) > file > default; then
// validates. The command's own flags, registered on fs before, are parsed
// alongside; fs.Args() holds what is left.
func Load(fs *flag.FlagSet, args []string) (Config, error) {
	return LoadEnv(fs, args, os.Getenv)
}

// LoadEnv is Load with the environment given (tests).
func LoadEnv(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	r := Register(fs)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return r.Resolve(getenv)
}

// Registered holds the raw values of the flags Register added, until
// Resolve.
type Registered struct {
	fs    *flag.FlagSet
	flags map[string]*rawFlag
	file  *rawFlag
}

// Register adds the configuration's flags to fs without parsing (for a
// command that parses fs itself, several times or in parts); call Resolve
// after fs.Parse.
func Register(fs *flag.FlagSet) *Registered {
	d := Default()
	r := &Registered{fs: fs, flags: map[string]*rawFlag{}, file: &rawFlag{}}
	fs.Var(r.file, "config", "configuration file of key = value lines (env WEIQUAN_CONFIG)")
	for _, k := range Keys {
		if k.Secret {
			continue
		}
		f := &rawFlag{def: format(k.field(&d)), isBool: isBool(k.field(&d))}
		r.flags[k.Name] = f
		fs.Var(f, k.Name, fmt.Sprintf("%s (env %s)", k.Help, k.Env))
	}
	return r
}

// Resolve computes the configuration from the parsed flags, getenv and the
// file, and validates it.
func (r *Registered) Resolve(getenv func(string) string) (Config, error) {
	c := Default()
	c.src = map[string]string{}
	file := r.file.val
	fileSrc := "flag --config"
	if !r.file.set {
		file, fileSrc = getenv("WEIQUAN_CONFIG"), "env WEIQUAN_CONFIG"
	}
	var fromFile map[string]fileValue
	if file != "" {
		var err error
		if fromFile, err = ReadFile(file); err != nil {
			return Config{}, fmt.Errorf("config: %s (%s): %w", file, fileSrc, err)
		}
		c.File = file
	}
	for _, k := range Keys {
		var raw, src string
		if f := r.flags[k.Name]; f != nil && f.set {
			raw, src = f.val, "flag --"+k.Name
		} else if v := getenv(k.Env); v != "" {
			raw, src = v, "env "+k.Env
		} else if fv, ok := fromFile[k.Name]; ok {
			raw, src = fv.val, fmt.Sprintf("file %s:%d", file, fv.line)
		} else {
			continue
		}
		if err := parse(k.field(&c), raw); err != nil {
			return Config{}, fmt.Errorf("config: %s (%s): %q: %w", k.Name, src, raw, err)
		}
		c.src[k.Name] = src
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Set reports whether the key was given (flag, environment or file) rather
// than defaulted.
func (c Config) Set(name string) bool { _, ok := c.src[name]; return ok }

// rawFlag keeps a flag's text for Resolve, which parses it naming the key.
type rawFlag struct {
	val, def string
	set      bool
	isBool   bool
}

func (f *rawFlag) String() string {
	if f == nil {
		return ""
	}
	if f.set {
		return f.val
	}
	return f.def
}

func (f *rawFlag) Set(s string) error { f.val, f.set = s, true; return nil }

func (f *rawFlag) IsBoolFlag() bool { return f.isBool }

func isBool(p any) bool { _, ok := p.(*bool); return ok }

// parse sets the field p points at from s.
func parse(p any, s string) error {
	s = strings.TrimSpace(s)
	switch p := p.(type) {
	case *string:
		*p = s
	case *int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("want a whole number")
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("want a whole number")
		}
		*p = n
	case *float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errors.New("want a number")
		}
		*p = n
	case *time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("want a duration such as 500ms, 2s, 48h")
		}
		*p = d
	case *bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		*p = b
	default:
		return fmt.Errorf("unsupported type %T", p)
	}
	return nil
}

// format is a field's value as text (the form parse reads).
func format(p any) string {
	switch p := p.(type) {
	case *string:
		return *p
	case *int:
		return strconv.Itoa(*p)
	case *int64:
		return strconv.FormatInt(*p, 10)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	case *time.Duration:
		return p.String()
	case *bool:
		return strconv.FormatBool(*p)
	}
	return fmt.Sprint(p)
}

type fileValue struct {
	val  string
	line int
}

// ReadFile reads a configuration file: one `key = value` a line, keys as
// the flags are named (`deadline-interval = "2s"`), values bare or in
// double quotes (with \" and \\ escapes), `#` comments and blank lines
// ignored. That is a flat subset of TOML, so a TOML-aware editor shows it
// right. An unknown key, a key given twice or a line that is not
// key = value is refused naming the line.
func ReadFile(path string) (map[string]fileValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readFile(f)
}

func readFile(r io.Reader) (map[string]fileValue, error) {
	out := map[string]fileValue{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		name, val = strings.TrimSpace(name), strings.TrimSpace(val)
		k, known := Lookup(name)
		if !known {
			return nil, fmt.Errorf("line %d: unknown key %q%s", n, name, suggest(name))
		}
		if prev, dup := out[k.Name]; dup {
			return nil, fmt.Errorf("line %d: key %q given twice (first on line %d)", n, name, prev.line)
		}
		v, err := unquote(val)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", n, name, err)
		}
		out[k.Name] = fileValue{val: v, line: n}
	}
	return out, sc.Err()
}

// unquote reads a bare value (up to a # comment) or a double-quoted one.
func unquote(v string) (string, error) {
	if !strings.HasPrefix(v, `"`) {
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		return v, nil
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			if i+1 >= len(v) || (v[i+1] != '"' && v[i+1] != '\\') {
				return "", errors.New(`only \" and \\ escapes`)
			}
			b.WriteByte(v[i+1])
			i++
		case '"':
			rest := strings.TrimSpace(v[i+1:])
			if rest != "" && rest[0] != '#' {
				return "", fmt.Errorf("text after the closing quote: %q", rest)
			}
			return b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return "", errors.New("unterminated quote")
}

// suggest names a key the misspelt one probably meant.
func suggest(name string) string {
	n := strings.ReplaceAll(strings.ToLower(name), "_", "-")
	n = strings.TrimPrefix(n, "weiquan-")
	if k, ok := Lookup(n); ok {
		return fmt.Sprintf(" (did you mean %q?)", k.Name)
	}
	return ""
}

// Print writes the effective configuration as a configuration file, each
// line followed by where the value came from; secrets are masked (and the
// password of a database URL).
func (c Config) Print(w io.Writer) {
	if c.File != "" {
		fmt.Fprintf(w, "# configuration file: %s\n", c.File)
	}
	for _, k := range Keys {
		v := format(k.field(&c))
		switch {
		case k.Secret && v != "":
			v = "********"
		case k.Name == "db":
			v = MaskURL(v)
		}
		line := fmt.Sprintf("%s = %s", k.Name, strconv.Quote(v))
		fmt.Fprintf(w, "%-44s # %s\n", line, c.Source(k.Name))
	}
}

// MaskURL hides the password in a URL (user:password@, ?password=…).
func MaskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	for key := range q {
		if strings.Contains(strings.ToLower(key), "password") || strings.Contains(strings.ToLower(key), "secret") {
			q.Set(key, "xxxxx")
		}
	}
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
