package demo

// Category is one of the demo's shop categories with its price range and
// its listing titles: real ones from the data folder where present, the
// built-in ones otherwise (the simulator, internal/simulate, samples them).
type Category struct {
	Name     string
	MinYuan  int
	MaxYuan  int
	NoReturn bool // excluded from 7-day no-reason return by nature
	Titles   []string
}

// Catalogue returns the demo categories with their titles, read from
// dataDir's TitlesFile when it is there; source is that file, or "" when
// only built-in titles are used. A missing file is not an error.
func Catalogue(dataDir string) (cats []Category, source string, err error) {
	p, err := loadTitles(dataDir)
	if err != nil {
		return nil, "", err
	}
	for _, c := range categories {
		cats = append(cats, Category{Name: c.Name, MinYuan: c.MinYuan, MaxYuan: c.MaxYuan, NoReturn: c.NoReturn, Titles: p.byCategory[c.Name]})
	}
	return cats, p.source, nil
}
