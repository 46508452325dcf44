import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS } from '../../../src/domain/messages.js';
import { parseTopic, renderTopic, topicFilter, topicTemplateProblems } from '../../../src/domain/topics.js';

describe('topic templates', () => {
  it('renders the default device topics', () => {
    const p = { siteId: 'plant-berlin-1', thingName: 'edge-SN-000123' };
    expect(renderTopic(DEFAULT_TOPICS.credentials, p)).toBe('fleet/enroll/plant-berlin-1/edge-SN-000123/activation');
    expect(renderTopic(DEFAULT_TOPICS.ack, p)).toBe('fleet/enroll/plant-berlin-1/edge-SN-000123/ack');
    expect(topicFilter(DEFAULT_TOPICS.ack)).toBe('fleet/enroll/+/+/ack');
  });

  it('parses a topic back into its site and thing, and refuses topics of another shape', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/), fc.stringMatching(/^[a-zA-Z0-9:_-]{1,128}$/), (siteId, thingName) => {
        expect(parseTopic(DEFAULT_TOPICS.ack, renderTopic(DEFAULT_TOPICS.ack, { siteId, thingName }))).toEqual({ siteId, thingName });
      }),
    );
    expect(parseTopic(DEFAULT_TOPICS.ack, 'fleet/enroll/s/t/activation')).toBeUndefined();
    expect(parseTopic(DEFAULT_TOPICS.ack, 'fleet/enroll/s/t/u/ack')).toBeUndefined();
    expect(parseTopic(DEFAULT_TOPICS.ack, 'fleet/enroll//t/ack')).toBeUndefined();
  });

  it('accepts the defaults and names what is wrong with a bad template', () => {
    expect(topicTemplateProblems(DEFAULT_TOPICS.credentials)).toEqual([]);
    expect(topicTemplateProblems('fleet/{thingName}/ack')).toEqual(['must contain {siteId} exactly once, as a whole topic level']);
    expect(topicTemplateProblems('fleet/{siteId}-x/{thingName}')).toContain('must contain {siteId} exactly once, as a whole topic level');
    expect(topicTemplateProblems('fleet/+/{siteId}/{thingName}')).toEqual(['level "+" must not contain wildcards or braces']);
    expect(topicTemplateProblems('$aws/{siteId}/{thingName}')).toEqual(['must not start with "$" (reserved topics)']);
    expect(topicTemplateProblems('a/b/c/d/e/f/{siteId}/{thingName}')).toEqual([]);
    expect(topicTemplateProblems('a/b/c/d/e/f/g/{siteId}/{thingName}')).toEqual(['must have at most 7 "/" (AWS IoT limit)']);
    expect(topicTemplateProblems('/{siteId}/{thingName}')).toHaveLength(1);
  });

  it('refuses to render a value that would change the topic shape', () => {
    expect(() => renderTopic(DEFAULT_TOPICS.ack, { siteId: 'a/b', thingName: 't' })).toThrow(/siteId/);
    expect(() => renderTopic(DEFAULT_TOPICS.ack, { siteId: 's', thingName: '#' })).toThrow(/thingName/);
  });
});
