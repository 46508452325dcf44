/** The topic rules' exact answers: each problem's message, the 256-byte limit, and what parses back. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import { parseTopic, renderTopic, TopicTemplate, topicTemplateProblems } from '../../../src/domain/topics.js';

const T = 'fleet/{siteId}/{thingName}/ack';

describe('topic rules', () => {
  it('names each problem of a template once', () => {
    expect(topicTemplateProblems('/fleet//{siteId}/{thingName}/')).toEqual(['must not have empty levels (leading, trailing or double "/")']);
    expect(topicTemplateProblems('$x/{siteId}/{thingName}')).toEqual(['must not start with "$" (reserved topics)']);
    expect(topicTemplateProblems('a/b/c/d/e/f/{siteId}/{thingName}')).toEqual([]);
    expect(topicTemplateProblems('a/b/c/d/e/f/g/{siteId}/{thingName}')).toEqual(['must have at most 7 "/" (AWS IoT limit)']);
    expect(topicTemplateProblems('x/{siteId}')).toEqual(['must contain {thingName} exactly once, as a whole topic level']);
    expect(topicTemplateProblems('a+b/{siteId}/{thingName}')).toEqual(['level "a+b" must not contain wildcards or braces']);
  });

  it('TopicTemplate: the problems joined in one issue named by its field ("topic" unless told)', () => {
    const err = (() => {
      try {
        new TopicTemplate('$x/{siteId}');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([{ path: 'topic', message: 'must contain {thingName} exactly once, as a whole topic level; must not start with "$" (reserved topics)' }]);
    expect((err as ValidationError).message).toMatch(/^invalid topic template: /);
  });

  it('TopicTemplate refuses a value that would widen the topic, naming it, for render and siteFilter', () => {
    const t = new TopicTemplate(T);
    for (const [call, path] of [
      [() => t.render({ siteId: 's', thingName: '' }), 'thingName'],
      [() => t.render({ siteId: 'a#', thingName: 'x' }), 'siteId'],
      [() => t.siteFilter('a/b'), 'siteId'],
      [() => t.siteFilter('nul\u0000'), 'siteId'],
    ] as const) {
      let caught: unknown;
      try {
        call();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).issues).toEqual([{ path, message: 'must be non-empty and contain none of + # / NUL' }]);
      expect((caught as ValidationError).message).toBe(`invalid topic value: ${path}: must be non-empty and contain none of + # / NUL`);
    }
    expect(t.siteFilter('plant-1')).toBe('fleet/plant-1/+/ack');
  });

  it('renderTopic: up to 256 bytes (UTF-8), a value that would widen the topic refused', () => {
    const fixed = 'fleet/s//ack'.length; // everything but the thing name
    const at256 = renderTopic(T, { siteId: 's', thingName: 't'.repeat(256 - fixed) });
    expect(Buffer.byteLength(at256)).toBe(256);
    expect(() => renderTopic(T, { siteId: 's', thingName: 't'.repeat(257 - fixed) })).toThrow('topic longer than 256 bytes');
    expect(() => renderTopic(T, { siteId: 's', thingName: 'é'.repeat(130) })).toThrow('topic longer than 256 bytes');
    expect(() => renderTopic(T, { siteId: 's+', thingName: 't' })).toThrow('siteId "s+" cannot be a topic level');
  });

  it('parseTopic: only topics of the same shape, with both values set and plain', () => {
    expect(parseTopic(T, 'fleet/p/t/ack')).toEqual({ siteId: 'p', thingName: 't' });
    expect(parseTopic(T, 'fleet/p/t')).toBeUndefined();
    expect(parseTopic(T, 'fleet/p/t/ack/more')).toBeUndefined();
    expect(parseTopic(T, 'fleet/p/t/nak')).toBeUndefined();
    expect(parseTopic(T, 'fleet/+/t/ack')).toBeUndefined();
    expect(parseTopic(T, 'fleet/p/#/ack')).toBeUndefined();
    expect(parseTopic(T, 'fleet//t/ack')).toBeUndefined();
    expect(parseTopic('fleet/{siteId}/ack', 'fleet/p/ack')).toBeUndefined();
    expect(parseTopic('fleet/{thingName}/ack', 'fleet/t/ack')).toBeUndefined();
  });
});
