import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPICS } from '../../../src/domain/messages.js';
import { TopicTemplate, topicTemplateProblems } from '../../../src/domain/topics.js';

describe('TopicTemplate', () => {
  const credentials = new TopicTemplate(DEFAULT_TOPICS.credentials);

  it('renders, filters by site and parses back', () => {
    expect(credentials.render({ siteId: 'plant-1', thingName: 'edge-SN-1' })).toBe('fleet/enroll/plant-1/edge-SN-1/activation');
    expect(credentials.siteFilter('plant-1')).toBe('fleet/enroll/plant-1/+/activation');
    expect(credentials.parse('fleet/enroll/plant-1/edge-SN-1/activation')).toEqual({ siteId: 'plant-1', thingName: 'edge-SN-1' });
    expect(credentials.parse('fleet/enroll/plant-1/edge-SN-1/ack')).toBeNull();
    expect(credentials.parse('fleet/enroll/plant-1/a/b/activation')).toBeNull();
  });

  it('renders from any object with a site and a thing, whatever else it carries', () => {
    const delivery = { siteId: 'plant-1', thingName: 'edge-SN-1', activationCode: 'a+b/c==', deliveryId: 'b.1.n' };
    expect(credentials.render(delivery)).toBe('fleet/enroll/plant-1/edge-SN-1/activation');
  });

  it('works with the thing before the site and regex characters around them', () => {
    const t = new TopicTemplate('t.1/{thingName}/x+y/{siteId}'.replace('+', 'p'));
    expect(t.parse('t.1/thing/xpy/site')).toEqual({ siteId: 'site', thingName: 'thing' });
    expect(t.parse('t11/thing/xpy/site')).toBeNull();
  });

  it('refuses templates without {thingName} or with wildcards, and values that would widen a topic', () => {
    expect(() => new TopicTemplate('fleet/{siteId}/activation', '--topic-credentials')).toThrow(/--topic-credentials/);
    expect(() => new TopicTemplate('fleet/#/{thingName}')).toThrow(/wildcards/);
    expect(() => new TopicTemplate('{thingName}/{thingName}')).toThrow(/once/);
    expect(() => credentials.render({ siteId: '+', thingName: 'x' })).toThrow(/siteId/);
    expect(() => credentials.render({ siteId: 's', thingName: 'a/b' })).toThrow(/thingName/);
  });

  it('accepts exactly the templates serve accepts (one set of rules for agent and orchestrator)', () => {
    // templates the agent used to take and serve refuses: no {siteId}, a placeholder inside a level, a reserved topic
    for (const template of ['fleet/{thingName}/activation', 'fleet/{siteId}-{thingName}/x', '$aws/{siteId}/{thingName}']) {
      expect(topicTemplateProblems(template)).not.toEqual([]);
      expect(() => new TopicTemplate(template, '--topic-credentials')).toThrow(/--topic-credentials/);
    }
    const level = fc.constantFrom('{siteId}', '{thingName}', 'fleet', 'a+b', '#', '', '$x', 'x{y}');
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 9 }), (levels) => {
        const template = levels.join('/');
        const serveAccepts = topicTemplateProblems(template).length === 0;
        let agentAccepts = true;
        try {
          new TopicTemplate(template);
        } catch {
          agentAccepts = false;
        }
        expect(agentAccepts).toBe(serveAccepts);
      }),
    );
  });
});
