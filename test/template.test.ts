import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandTemplate, goToHandlebars } from '../src/template.js';

test('Go-template {{ .Name }} works as written', () => {
  assert.equal(expandTemplate('s3:https://s3.example.com/restic-{{ .Name }}', { Name: 'web-server' }), 's3:https://s3.example.com/restic-web-server');
  assert.equal(expandTemplate('{{.Name}}/{{ .Name }}', { Name: 'db' }), 'db/db');
});

test('Handlebars {{ Name }} works too, and nothing is HTML-escaped', () => {
  assert.equal(expandTemplate('rest:http://h/{{ Name }}?a=1&b=2', { Name: 'a&b' }), 'rest:http://h/a&b?a=1&b=2');
});

test('Go whitespace trimming becomes Handlebars trimming', () => {
  assert.equal(goToHandlebars('{{- .Name -}}'), '{{~ Name ~}}');
  assert.equal(expandTemplate('x {{- .Name -}} y', { Name: 'n' }), 'xny');
});

test('strings without templates pass through untouched', () => {
  assert.equal(expandTemplate('plain ${VAR} text', { Name: 'x' }), 'plain ${VAR} text');
});

test('an unknown variable is an error naming it and the known ones', () => {
  assert.throws(() => expandTemplate('restic-{{ .Host }}', { Name: 'x' }), {
    message: 'unknown template variable "Host" (known: .Name)',
  });
});

test('broken template syntax is an error with its column', () => {
  assert.throws(() => expandTemplate('restic-{{ .Name ', { Name: 'x' }), {
    message: 'invalid template syntax at column 11: unexpected "."',
  });
});

test('an unclosed template says the braces are missing', () => {
  assert.throws(() => expandTemplate('restic-{{ Name ', { Name: 'x' }), {
    message: 'invalid template syntax at column 16: unexpected end of text (is a "}}" missing?)',
  });
});
