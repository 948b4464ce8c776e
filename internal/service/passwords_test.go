package service

import "testing"

// Common passwords and their shapes are refused; real passphrases pass.
func TestCommonPasswordRefused(t *testing.T) {
	for _, pw := range []string{"password", "Password123", "qwertyuiop", "12345678", "87654321", "11111111", "woaini1314", "520520520",
		"zxcvbnm!", "abcdefgh", "a1234567", "admin2024!", "agent7agent7", "Qwerty123", "aaaaaaaa", "11223344", "!!qaz2wsx"} {
		if !commonPassword("agent7", pw) {
			t.Errorf("%q accepted", pw)
		}
		if _, err := hashPassword("agent7", pw); err == nil && len(pw) >= 8 {
			t.Errorf("%q hashed", pw)
		}
	}
	for _, pw := range []string{"correct horse battery", "a long passphrase 42", "Tz8#kq!vR2", "杭州西湖边的小船2026"} {
		if commonPassword("agent7", pw) {
			t.Errorf("%q refused", pw)
		}
	}
}
