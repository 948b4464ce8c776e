package httpapi

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

// mergeOpenAPI builds the served document from openapi.json and the
// openapi_*.json fragments of fsys (the sources; the binary embeds the
// result, see api.go). A fragment may carry "paths", "tags" and
// "components"; a path, tag or component defined twice is an error, so two
// features cannot silently overwrite each other's part of the document.
func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	base := map[string]any{}
	raw, err := fs.ReadFile(fsys, "openapi.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &base); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	frags, err := fs.Glob(fsys, "openapi_*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(frags)
	for _, name := range frags {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		frag := map[string]any{}
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range frag {
			switch k {
			case "paths":
				if err := mergePaths(base, v, name); err != nil {
					return nil, err
				}
			case "components":
				comps, _ := v.(map[string]any)
				bc, _ := base["components"].(map[string]any)
				if bc == nil {
					bc = map[string]any{}
					base["components"] = bc
				}
				for section, defs := range comps {
					if err := mergeObject(bc, section, defs, name+": components"); err != nil {
						return nil, err
					}
				}
			case "tags":
				tags, _ := base["tags"].([]any)
				seen := map[any]bool{}
				for _, t := range tags {
					seen[t.(map[string]any)["name"]] = true
				}
				add, _ := v.([]any)
				for _, t := range add {
					if seen[t.(map[string]any)["name"]] {
						return nil, fmt.Errorf("%s: tag %v defined twice", name, t.(map[string]any)["name"])
					}
					tags = append(tags, t)
				}
				base["tags"] = tags
			default:
				return nil, fmt.Errorf("%s: a fragment may hold paths, tags and components, not %q", name, k)
			}
		}
	}
	return json.MarshalIndent(base, "", "  ")
}

func mergeObject(into map[string]any, key string, add any, where string) error {
	m, _ := into[key].(map[string]any)
	if m == nil {
		m = map[string]any{}
		into[key] = m
	}
	addm, ok := add.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %s must be an object", where, key)
	}
	for k, v := range addm {
		if _, dup := m[k]; dup {
			return fmt.Errorf("%s: %s %q defined twice", where, key, k)
		}
		m[k] = v
	}
	return nil
}

// mergePaths adds a fragment's paths; a fragment may add operations (methods)
// to a path another part defines, but not define the same operation twice.
func mergePaths(base map[string]any, add any, where string) error {
	paths, _ := base["paths"].(map[string]any)
	addm, ok := add.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: paths must be an object", where)
	}
	rest := map[string]any{}
	for p, item := range addm {
		have, exists := paths[p].(map[string]any)
		if !exists {
			rest[p] = item
			continue
		}
		ops, _ := item.(map[string]any)
		for k, v := range ops {
			if _, dup := have[k]; dup {
				return fmt.Errorf("%s: paths %q %s defined twice", where, p, k)
			}
			have[k] = v
		}
	}
	return mergeObject(base, "paths", rest, where)
}
