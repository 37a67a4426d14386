import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, ValidateBy, ValidateNested } from 'class-validator';
import {
  HttpUrl,
  Inline,
  IntBetween,
  NestedList,
  NestedObject,
  nestedFields,
  NestedRecord,
  NonEmptyString,
  StringList,
  TemplatePlaceholders,
} from './dto-fields';
import { validateDto } from './dto-validation';

class LineDto {
  @IsString() sku!: string;
  @IsInt() qty!: number;
}

class LimitsDto {
  @IntBetween(1, 10) max: number = 5;
  @IntBetween(0, 10) min!: number;
}

class ExtraDto {
  @IntBetween(1, 10) max: number = 5;
}

class CodeEntryDto {
  @Inline() @Matches(/^\d+$/, { message: '$parent: key "$value" must be a number' }) key!: string;
  @Inline() @Matches(/^[A-Z]+$/, { message: '$path must be upper case' }) value!: string;
}

class AnimalDto {
  @IsIn(['cat', 'dog'], { message: '$path must be cat or dog' }) kind!: string;
}
class CatDto extends AnimalDto {
  @NonEmptyString() meow!: string;
}
class DogDto extends AnimalDto {
  @IntBetween(0, 5) barks!: number;
}

class RefDto {
  @Inline() @IsOptional() @IsString() value?: string;
  @IsOptional() @IsString() code?: string;
}

class DocumentDto {
  @NonEmptyString() name!: string;
  @IsOptional() @HttpUrl() url?: string;
  @StringList() tags: string[] = ['a'];
  @ValidateNested({ each: true }) @Type(() => LineDto) items: LineDto[] = [];
  @NestedObject(() => LimitsDto, { required: true }) limits!: LimitsDto;
  @NestedObject(() => ExtraDto) extra: ExtraDto = new ExtraDto();
  @NestedRecord(() => CodeEntryDto, { entry: (value) => ({ value }) }) codes: Map<string, CodeEntryDto> = new Map();
  @NestedObject(() => AnimalDto, { discriminator: { property: 'kind', subTypes: { cat: CatDto, dog: DogDto } } })
  pet?: CatDto | DogDto;
  @NestedObject(() => RefDto, { fromScalar: (value) => ({ value }) }) ref?: RefDto;
  @IsOptional() @TemplatePlaceholders(['id', 'number']) template?: string;
  @IsOptional()
  @ValidateBy({ name: 'notBoth', validator: { validate: () => false, defaultMessage: () => 'name and url conflict' } })
  both?: string;
}

const valid = { name: 'n', limits: { min: 1 } };

describe('validateDto', () => {
  it('converts, applies defaults (also for null) and keeps given values', () => {
    const { value, problems } = validateDto(DocumentDto, {
      ...valid,
      url: 'https://example.test//',
      tags: ['x', 'x', 'y'],
      extra: null,
      codes: { '1': 'AB' },
      pet: { kind: 'cat', meow: 'm' },
      ref: 'R1',
    });
    expect(problems).toEqual([]);
    expect(value).toBeInstanceOf(DocumentDto);
    expect(value.url).toBe('https://example.test');
    expect(value.tags).toEqual(['x', 'y']);
    expect(value.limits).toBeInstanceOf(LimitsDto);
    expect(value.limits.max).toBe(5);
    expect(value.extra.max).toBe(5);
    expect(value.codes.get('1')).toMatchObject({ key: '1', value: 'AB' });
    expect(value.pet).toBeInstanceOf(CatDto);
    expect(value.ref?.value).toBe('R1');
  });

  it('lists every problem with its path, at every depth', () => {
    const { problems } = validateDto(DocumentDto, {
      name: '',
      url: 'mailto:x',
      tags: ['ok', ''],
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 'two' },
      ],
      limits: { max: 11, min: 1, colour: 'red' },
      codes: { '1': 'ab', x: 'CD' },
      pet: { kind: 'dog', barks: 9, meow: 'm' },
      ref: { code: 5 },
      template: 'PO-{num}-{id}',
      both: 'x',
      extraField: true,
    });
    expect(problems).toEqual([
      'unknown field "extraField" (typo?)',
      'name must be a non-empty string',
      'url must be an http(s) URL',
      'tags must be an array of non-empty strings',
      'items[1].qty must be an integer number',
      'limits: unknown field "colour" (typo?)',
      'limits.max must be an integer between 1 and 10',
      'codes.1 must be upper case',
      'codes: key "x" must be a number',
      'pet: unknown field "meow" (typo?)',
      'pet.barks must be an integer between 0 and 5',
      'ref.code must be a string',
      'template: unknown placeholder(s) {num} (use {id} or {number})',
      'name and url conflict',
    ]);
  });

  it('lists the required fields of an absent required section', () => {
    expect(validateDto(DocumentDto, { name: 'n' }).problems).toEqual([
      'limits is required (object)',
      'limits.min is required',
    ]);
  });

  it('reports a non-object section once, without its nested problems', () => {
    expect(validateDto(DocumentDto, { ...valid, extra: [{ max: 99 }], codes: 'x', pet: 7 }).problems).toEqual([
      'extra must be an object',
      'codes must be an object',
      'pet must be an object',
    ]);
  });

  it('reports only the discriminator of an unknown variant', () => {
    expect(validateDto(DocumentDto, { ...valid, pet: { kind: 'cow', moo: true } }).problems).toEqual([
      'pet.kind must be cat or dog',
    ]);
  });

  it('names the document itself, and prefixes a root path', () => {
    expect(validateDto(DocumentDto, null, { name: 'rules' }).problems).toEqual(['rules is required (object)']);
    expect(validateDto(DocumentDto, [], { name: 'rules' }).problems).toEqual(['rules must be an object']);
    expect(validateDto(DocumentDto, { limits: {}, x: 1 }, { root: 'docs[3]' }).problems).toEqual([
      'docs[3]: unknown field "x" (typo?)',
      'docs[3].name is required',
      'docs[3].limits.min is required',
    ]);
  });

  it('NestedList: every element validated by its class, problems by index; a non-array or non-object element said once', () => {
    class RuleDto {
      @IntBetween(1, 9) level!: number;
      @NestedObject(() => ExtraDto) extra?: ExtraDto;
    }
    class ListDocDto {
      @NestedList(() => RuleDto) rules: RuleDto[] = [];
    }
    expect(validateDto(ListDocDto, {}).value.rules).toEqual([]);
    const ok = validateDto(ListDocDto, { rules: [{ level: 2 }, { level: 3, extra: { max: 7 } }] });
    expect(ok.problems).toEqual([]);
    expect(ok.value.rules[1]).toBeInstanceOf(RuleDto);
    expect(ok.value.rules[1].extra?.max).toBe(7);
    expect(
      validateDto(ListDocDto, { rules: [{ level: 0 }, 'x', { level: 2, extra: { max: 0 }, y: 1 }, null] }).problems,
    ).toEqual([
      'rules[0].level must be an integer between 1 and 9',
      'rules[1] must be an object',
      'rules[2]: unknown field "y" (typo?)',
      'rules[2].extra.max must be an integer between 1 and 10',
      'rules[3] must be an object',
    ]);
    expect(validateDto(ListDocDto, { rules: { level: 2 } }).problems).toEqual(['rules must be an array']);
    expect(validateDto(ListDocDto, { rules: null }).problems).toEqual([]);
    expect(nestedFields(ListDocDto).map((f) => [f.property, f.kind, f.required])).toEqual([['rules', 'list', false]]);
  });

  it('records nested sections so that a schema can be walked', () => {
    expect(nestedFields(DocumentDto).map((f) => [f.property, f.kind, f.required])).toEqual([
      ['limits', 'object', true],
      ['extra', 'object', false],
      ['codes', 'record', false],
      ['pet', 'object', false],
      ['ref', 'object', false],
    ]);
    expect(
      nestedFields(DocumentDto)
        .find((f) => f.property === 'pet')
        ?.types(),
    ).toEqual([AnimalDto, CatDto, DogDto]);
  });
});
