-- +goose Up
-- PostgreSQL turns its write-once JSON columns from JSONB into TEXT here;
-- SQLite already stores them as TEXT. (Same file names in both dialects.)
SELECT 1;
