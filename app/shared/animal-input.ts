// One animal's fields as a farmer types them (a form, a CSV row, the CLI), checked by the same rules wherever
// they are entered: the office (CLI import) and the dashboard (forms and the import preview) use this module.

export type Sex = 'female' | 'male';

export interface AnimalInput {
  official_id?: string | undefined;
  tag?: string | undefined;
  name?: string | undefined;
  sex?: string | undefined;
  birth_date?: string | undefined;
  breed?: string | undefined;
  group?: string | undefined;
}

export interface ValidAnimal {
  official_id: string | null;
  tag: string | null;
  name: string | null;
  sex: Sex;
  birth_date: string | null;
  breed: string | null;
  group: string | null;
}

const SEX: Record<string, Sex> = { female: 'female', f: 'female', cow: 'female', male: 'male', m: 'male', bull: 'male' };

const clean = (v: string | undefined | null) => (v == null || v.trim() === '' ? null : v.trim());

/** Checks one animal's fields; returns the reasons it is not valid, or the cleaned animal. */
export function validateAnimal(input: AnimalInput, now = Date.now()): ValidAnimal | string[] {
  const errors: string[] = [];
  const official_id = clean(input.official_id);
  const tag = clean(input.tag);
  if (!official_id && !tag) errors.push('an animal needs a tag or an official ID');
  for (const [k, v] of [['tag', tag], ['official_id', official_id], ['name', clean(input.name)], ['breed', clean(input.breed)], ['group', clean(input.group)]] as const) {
    if (v && v.length > 64) errors.push(`${k} is longer than 64 characters`);
  }
  const sexRaw = clean(input.sex)?.toLowerCase() ?? 'female';
  const sex = SEX[sexRaw];
  if (!sex) errors.push(`sex must be female or male, not "${input.sex}"`);
  const birth = clean(input.birth_date);
  if (birth) {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth);
    const date = d ? new Date(`${birth}T00:00:00Z`) : undefined;
    if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== birth) errors.push(`birth_date must be a date as YYYY-MM-DD, not "${birth}"`);
    else if (date.getTime() > now) errors.push('birth_date is in the future');
  }
  if (errors.length) return errors;
  return { official_id, tag, name: clean(input.name), sex: sex!, birth_date: birth, breed: clean(input.breed), group: clean(input.group) };
}
