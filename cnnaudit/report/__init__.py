"""Rendering only: tables, JSON, CSV, markdown. No analysis lives here."""
