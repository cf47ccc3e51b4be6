/** The customer list's sort keys, as the API and the customers page take them, and their columns. */
export const CUSTOMER_SORT = { companyName: 'company_name', createdAt: 'created_at', country: 'country' } as const;
