/** Routes that need an API key declare this, so /docs shows the lock. */
export const security = [{ apiKey: [] }];

/** Response schemas shared by routes (they also document the API in /docs). */
export const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const;

export const countsSchema = {
  type: 'object',
  properties: Object.fromEntries(['read', 'mapped', 'invalid', 'stored', 'changed', 'unchanged', 'delivered', 'failed'].map((k) => [k, { type: 'integer' }])),
} as const;

export const transferSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    connectorId: { type: 'string' },
    trigger: { type: 'string' },
    source: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'partial'] },
    counts: countsSchema,
    error: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
  },
} as const;

export const pointerSchema = {
  type: ['object', 'null'],
  properties: {
    file: { type: 'string' },
    row: { type: 'integer' },
    line: { type: 'integer' },
    column: { type: ['string', 'integer'] },
    xpath: { type: 'string' },
    jsonPointer: { type: 'string' },
  },
} as const;
