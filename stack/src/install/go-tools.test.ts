import { versionReplaces } from './go-tools.ts';

describe('wrapper module replaces', () => {
  it('keeps replaces that point at a published version, in block and one-line form', () => {
    const goMod = [
      'module github.com/example/tool',
      '',
      'replace github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0 // pinned',
      '',
      'replace (',
      '\tgithub.com/a/b v1.2.0 => github.com/a/b v1.2.1',
      '\tgithub.com/c/d => ./local/d',
      ')',
      '',
      'replace github.com/e/f => ../f',
    ].join('\n');
    expect(versionReplaces(goMod)).toEqual([
      'github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0',
      'github.com/a/b v1.2.0 => github.com/a/b v1.2.1',
    ]);
  });

  it('finds none in a go.mod without replaces', () => {
    expect(versionReplaces('module x\n\ngo 1.26\n\nrequire github.com/a/b v1.0.0\n')).toEqual([]);
  });
});
