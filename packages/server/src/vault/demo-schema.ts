import type { WireVaultSchema } from './schema/model.js';

const tag = (name: string, ...values: string[]) => ({ name: `skyflow.${name}`, values });

/**
 * The `quickstart` demo vault created on first start: one `persons` table showing a different
 * tokenization and masking style per column.
 */
export const DEMO_VAULT_NAME = 'quickstart';

export const DEMO_VAULT_SCHEMA: WireVaultSchema = {
  schemas: [
    {
      name: 'persons',
      fields: [
        {
          name: 'name',
          datatype: 'DT_STRING',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.Name'),
            tag('options.default_token_policy', 'NON_DETERMINISTIC_UUID'),
            tag('options.default_dlp_policy', 'MASK'),
            // First character, plus the last two only when at least two more stay hidden; matches every
            // non-empty value (newlines too), so MASKED never falls back to showing a short name whole.
            tag('options.find_pattern', '(?s)^(.)(?:.{2,}(.{2})|.*)$'),
            tag('options.replace_pattern', '${1}***${2}'),
            tag('options.operation', 'EXACT_MATCH'),
          ],
        },
        {
          name: 'email',
          datatype: 'DT_STRING',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.Email'),
            tag('options.default_token_policy', 'DETERMINISTIC_PRESERVE_EMAIL_DOMAIN'),
            tag('options.default_dlp_policy', 'MASK'),
            tag('options.find_pattern', '^(.).*?(.)?@(.+)$'),
            tag('options.replace_pattern', '${1}******${2}@${3}'),
            tag('options.unique', 'true'),
            tag('validation.regular_exp', '^$|^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$'),
          ],
        },
        {
          name: 'ssn',
          datatype: 'DT_STRING',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.SSN'),
            tag('options.default_token_policy', 'DETERMINISTIC_FPT'),
            tag('options.format_preserving_regex', '^[0-9]{3}-[0-9]{2}-[0-9]{4}$'),
            tag('options.default_dlp_policy', 'MASK'),
            tag('options.find_pattern', '^[0-9]{3}([- ])?[0-9]{2}([- ])?([0-9]{4})$'),
            tag('options.replace_pattern', 'XXX${1}XX${2}${3}'),
            tag('options.operation', 'EXACT_MATCH'),
            tag('validation.regular_exp', '^$|^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$'),
          ],
        },
        {
          name: 'card_number',
          datatype: 'DT_STRING',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.CardNumber'),
            tag('options.default_token_policy', 'DETERMINISTIC_PRESERVE_LEFT_6_RIGHT_4'),
            tag('options.default_dlp_policy', 'MASK'),
            tag('options.find_pattern', '^[0-9 -]*([0-9]{4})$'),
            tag('options.replace_pattern', 'XXXXXXXXXXXX${1}'),
            tag('options.operation', 'EXACT_MATCH'),
            tag('validation.regular_exp', '^$|^[0-9]{12,19}$'),
          ],
        },
        {
          name: 'date_of_birth',
          datatype: 'DT_DATE',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.DOB'),
            tag('options.default_token_policy', 'DETERMINISTIC_UUID'),
            tag('options.default_dlp_policy', 'MASK'),
            tag('options.find_pattern', '^[0-9]{4}-([0-9]{2})-([0-9]{2})$'),
            tag('options.replace_pattern', 'XXXX-${1}-${2}'),
          ],
        },
        {
          name: 'phone_number',
          datatype: 'DT_STRING',
          isArray: false,
          tags: [
            tag('options.data_type', 'skyflow.PhoneNumber'),
            tag('options.default_token_policy', 'NON_DETERMINISTIC_PRESERVE_RIGHT_4'),
            tag('options.default_dlp_policy', 'MASK'),
            tag('options.find_pattern', '^.*([0-9]{4})$'),
            tag('options.replace_pattern', 'XXXXXX${1}'),
            // Ends in four digits, so the find pattern above matches every accepted value.
            tag('validation.regular_exp', '^$|^[+]?[0-9 ()./-]{3,16}[0-9]{4}$'),
          ],
        },
      ],
      schemaTags: [tag('options.display_name', 'Persons')],
      childrenSchemas: [],
    },
  ],
  tags: [tag('options.display_name', 'Quickstart')],
};
