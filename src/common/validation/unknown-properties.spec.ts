import { IsInt, IsOptional, IsString } from 'class-validator';
import { unknownProperties, unknownPropertyMessages } from './unknown-properties';

class Parent {
  @IsString() name!: string;
}
class Child extends Parent {
  @IsOptional() @IsInt() count?: number;
}

describe('unknownProperties', () => {
  it('lists own keys the DTO does not declare, inherited declarations included', () => {
    expect(unknownProperties(Child, { name: 'a', count: 1, foo: 2 })).toEqual(['foo']);
  });
  it('finds names that exist on Object.prototype, __proto__ included', () => {
    const body = JSON.parse(
      '{"name":"a","toString":1,"constructor":1,"hasOwnProperty":1,"__proto__":{"x":1}}',
    );
    expect(unknownProperties(Child, body)).toEqual([
      'toString',
      'constructor',
      'hasOwnProperty',
      '__proto__',
    ]);
  });
  it('has nothing to say about values that are not plain objects', () => {
    expect(unknownProperties(Child, [1])).toEqual([]);
    expect(unknownProperties(Child, null)).toEqual([]);
    expect(unknownProperties(Child, 'x')).toEqual([]);
  });
  it('words the message as class-validator does', () => {
    expect(unknownPropertyMessages(['foo'])).toEqual(['property foo should not exist']);
  });
});
