import { likeEscape } from './like';

describe('likeEscape', () => {
  it('leaves ordinary text alone, backslashes included', () => {
    expect(likeEscape('Contoso Ltd')).toBe('Contoso Ltd');
    expect(likeEscape('C:\\temp')).toBe('C:\\temp');
  });

  it('escapes % so a search for "50%" does not match everything after "50"', () => {
    expect(likeEscape('50%')).toBe('50!%');
  });

  it('escapes _ so it matches an underscore, not any character', () => {
    expect(likeEscape('a_b')).toBe('a!_b');
  });

  it('escapes the escape character itself', () => {
    expect(likeEscape('Yahoo!')).toBe('Yahoo!!');
    expect(likeEscape('!%')).toBe('!!!%');
  });

  it('escapes every occurrence', () => {
    expect(likeEscape('%%__')).toBe('!%!%!_!_');
  });
});
