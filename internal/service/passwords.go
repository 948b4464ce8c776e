package service

import (
	_ "embed"
	"strings"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/weiquan/weiquan/internal/fault"
)

//go:embed common_passwords.txt
var commonPasswordsTxt string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}()

// keyboard rows and the alphabet: a run of 4 or more of one (either way) is
// a walk, not a secret.
var walks = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz", "1qaz2wsx3edc4rfv", "qazwsxedcrfv"}

// commonWords are stems that, with digits or a year around them, make
// the passwords guessed first.
var commonWords = []string{"password", "passwd", "qwerty", "woaini", "iloveyou", "admin", "weiquan", "welcome", "letmein", "abc", "taobao", "aa", "qq", "wang", "zhang", "li", "love"}

// commonPassword reports whether a password (or its shape) is among the
// first ones guessed: the embedded list, a password made of the login, a
// single repeated character, a keyboard or alphabet walk, or a common word
// or walk with only digits and symbols around it.
func commonPassword(login, pw string) bool {
	p := strings.ToLower(pw)
	if commonPasswords[p] {
		return true
	}
	if l := strings.ToLower(login); l != "" && strings.Contains(p, l) && len(strings.Trim(strings.ReplaceAll(p, l, ""), "0123456789!@#$%^&*._-")) == 0 {
		return true
	}
	if strings.Count(p, p[:1]) == len(p) {
		return true
	}
	if isWalk(p) {
		return true
	}
	// Strip digits and symbols at the ends: what is left is a word or a walk.
	core := strings.TrimFunc(p, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if core == "" {
		// Digits and symbols only: runs of digits (12345678, 11223344…).
		return digitPattern(p)
	}
	if commonPasswords[core] || isWalk(core) {
		return true
	}
	for _, w := range commonWords {
		if core == w {
			return true
		}
	}
	return false
}

// isWalk: the whole string is one run (forwards or backwards) of a keyboard
// row or the alphabet, at least 4 long.
func isWalk(p string) bool {
	if len(p) < 4 {
		return false
	}
	for _, w := range walks {
		if strings.Contains(w, p) || strings.Contains(reverse(w), p) {
			return true
		}
	}
	return false
}

// digitPattern: only digits and symbols, with at most 4 distinct digits
// (11223344, 12121212, 520520…) or a run up or down.
func digitPattern(p string) bool {
	seen := map[rune]bool{}
	for _, r := range p {
		if unicode.IsDigit(r) {
			seen[r] = true
		}
	}
	return len(seen) <= 4 || isWalk(p)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

// hashPassword validates a new password of a login (8–72 bytes, not a
// common one) and returns its bcrypt hash. Errors: Invalid (password).
func hashPassword(login, pw string) (string, error) {
	if len(pw) < 8 || len(pw) > 72 {
		return "", fault.Field("password", "密码须为8–72个字节 / the password is 8–72 bytes")
	}
	if commonPassword(login, pw) {
		return "", fault.Field("password", "密码过于常见，容易被猜中，请换一个 / this password is too common and easily guessed: choose another")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	return string(h), err
}
