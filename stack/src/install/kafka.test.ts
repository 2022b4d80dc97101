import { brokerPom } from './kafka.ts';

describe('kafka broker POM', () => {
  it('asks Maven for the broker and a logging backend at the pinned versions', () => {
    const pom = brokerPom('4.3.1', '2.24.3', '2.0.17');
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId><version>4.3.1</version>');
    expect(pom).toContain('<artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version>');
    expect(pom).toContain('<artifactId>slf4j-api</artifactId><version>2.0.17</version>');
  });
});
