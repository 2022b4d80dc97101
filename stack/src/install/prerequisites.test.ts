import { atLeast, parseMajorMinor } from './prerequisites.ts';

describe('toolchain version checks', () => {
  it('reads the versions the toolchains print', () => {
    expect(parseMajorMinor('go version go1.26.8 linux/amd64', /go(\d+)\.(\d+)/)).toEqual([1, 26]);
    expect(
      parseMajorMinor('openjdk version "17.0.15" 2025-04-15', /version "(\d+)(?:\.(\d+))?/),
    ).toEqual([17, 0]);
    expect(parseMajorMinor('Apache Maven 3.8.7', /Apache Maven (\d+)\.(\d+)/)).toEqual([3, 8]);
    expect(parseMajorMinor('command not found', /go(\d+)\.(\d+)/)).toBeUndefined();
  });

  it('compares major then minor', () => {
    expect(atLeast([1, 26], [1, 26])).toBeTrue();
    expect(atLeast([2, 0], [1, 26])).toBeTrue();
    expect(atLeast([1, 25], [1, 26])).toBeFalse();
    expect(atLeast([11, 0], [17, 0])).toBeFalse();
  });
});
