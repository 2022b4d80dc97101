import { currentFiles, descriptionOf, parametersOf, renderReadme } from './chart-readme.ts';

describe('deploy: the chart README parameters table', () => {
  it('is up to date with the comments of values.yaml', async () => {
    const { readme, values } = await currentFiles();
    expect(readme)
      .withContext('regenerate with: npm run generate:chart-readme')
      .toBe(await renderReadme(readme, values));
  });

  it('documents every key of values.yaml, the pod settings of every component among them', async () => {
    const keys = parametersOf((await currentFiles()).values).map((parameter) => parameter.key);
    for (const component of ['api', 'relay', 'persister', 'operator', 'web']) {
      for (const setting of [
        'image.registry',
        'image.digest',
        'serviceAccount.create',
        'podLabels',
        'topologySpreadConstraints',
        'priorityClassName',
        'extraEnvFrom',
        'extraVolumeMounts',
      ]) {
        expect(keys).withContext(component).toContain(`${component}.${setting}`);
      }
    }
  });

  it('refuses a values.yaml key that has no description, by name', () => {
    const values = ['# -- Documented.', 'a: 1', 'b:', '  # -- Nested.', '  c: 2', '  d: 3', ''];
    expect(() => parametersOf(values.join('\n'))).toThrowError(
      'values.yaml keys without a "# -- description" comment (on them or a parent): b.d',
    );
  });

  it('takes the last "--" block of a comment, continued over the lines after it', () => {
    expect(descriptionOf(' A header.\n\n -- First line\n continued.')).toBe(
      'First line continued.',
    );
    expect(descriptionOf(' plain comment')).toBeUndefined();
  });
});
